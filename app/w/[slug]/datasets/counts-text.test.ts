import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "~/server/i18n/messages/en.json";
import zh from "~/server/i18n/messages/zh.json";
import { countsText, type CountName } from "./counts-text";

const names = (locale: "en" | "zh") => {
  const t = createTranslator({ locale, messages: locale === "en" ? en : zh, namespace: "datasets.countNames" });
  return (type: CountName) => t(type);
};
const number = (n: number) => n.toLocaleString("en");

describe("a version's contents by record type (#20 item 7: 567 queries shown as 1,701 rows)", () => {
  it("counts an evaluation set's queries, documents and judgements separately", () => {
    const counts = { query: 567, doc: 567, qrel: 567, queriesWithoutRelevant: 0 };
    expect(countsText(counts, 1701, names("en"), number)).toBe("567 queries · 567 documents · 567 judgements");
    expect(countsText(counts, 1701, names("zh"), number)).not.toContain("1,701");
  });
  it("a training set is its pairs; old versions without counts fall back to the total", () => {
    expect(countsText({ pair: 4535, duplicatePassagesMerged: 3 }, 4535, names("en"), number)).toBe("4,535 pairs");
    expect(countsText(null, 12, names("en"), number)).toBe("12 records");
  });
});
