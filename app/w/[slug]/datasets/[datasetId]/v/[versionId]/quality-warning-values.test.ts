import { describe, expect, it } from "vitest";
import en from "~/server/i18n/messages/en.json";
import zh from "~/server/i18n/messages/zh.json";
import { QUALITY_RULES } from "~/server/lib/quality/score";
import { qualityScore } from "~/server/lib/quality/score";
import { warningValues } from "./quality-warning-values";

describe("quality warning wording (#20 item 4)", () => {
  it("formats rates, counts and cosines as their messages read them", () => {
    expect(warningValues("no-negatives", 1, 0.5, "en")).toEqual({ value: "100.0%", threshold: "50.0%" });
    expect(warningValues("too-few-samples", 999, 1000, "en")).toEqual({ value: "999", threshold: "1,000" });
    expect(warningValues("pos-neg-similar", 0.314, 0.3, "zh")).toEqual({ value: "0.31", threshold: "0.30" });
  });

  it("every warning the score can raise has a message in English and Chinese", () => {
    const all = qualityScore({ rows: 1, duplicateRate: 1, posNegMeanCosine: 1, negativesLookPositiveShare: 1, nearDuplicateQueryRate: 1, leakageExact: 1, leakageNearQueryRate: 1, queryTruncatedShare: 1, passageTruncatedShare: 1, noNegativeShare: 1 });
    expect(all.warnings).toHaveLength(Object.keys(QUALITY_RULES).length);
    for (const messages of [en, zh]) {
      const wording = messages.datasets.quality.warnings as Record<string, string>;
      for (const w of all.warnings) expect(typeof wording[w.code], w.code).toBe("string");
    }
  });
});
