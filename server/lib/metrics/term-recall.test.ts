import { describe, expect, it } from "vitest";
import { matchingTerms, normaliseTerm, termRecallTable } from "./term-recall";

// Five evaluated queries, Chinese and English; values chosen by hand so every mean below is computed on paper.
const queryText = new Map([
  ["q1", "胰岛素怎么打"],
  ["q2", "HbA1c 正常范围"],
  ["q3", "What does HBA1C measure, and insulin?"],
  ["q4", "headache remedies"],
  ["q5", "胰岛素和hba1c的关系"],
]);
const base = {
  ids: ["q1", "q2", "q3", "q4", "q5"],
  values: { "recall@10": [1, 0, 0.5, 1, 0], "ndcg@10": [0.5, 0, 0.25, 1, 0] },
};
// The tuned model has no value for q5: it scores 0 there (metric contract), not "skipped".
const tuned = {
  ids: ["q1", "q2", "q3", "q4"],
  values: { "recall@10": [1, 1, 1, 0], "ndcg@10": [1, 0.5, 0.5, 0] },
};

describe("domain-term recall", () => {
  it("matches Chinese by substring and English case-insensitively (NFKC, so full-width Latin too)", () => {
    const terms = ["胰岛素", "hba1c", "insulin"].map(normaliseTerm);
    expect(matchingTerms("胰岛素怎么打", terms)).toEqual([0]);
    expect(matchingTerms("我的糖化HbA1c偏高", terms)).toEqual([1]);
    expect(matchingTerms("ＨＢＡ１Ｃ 与 INSULIN", terms)).toEqual([1, 2]);
    expect(matchingTerms("头痛怎么办", terms)).toEqual([]);
  });

  it("restricts recall@10 and nDCG@10 to queries containing a term, per term by frequency, with deltas vs the first subject", () => {
    const table = termRecallTable({ queryText, terms: ["胰岛素", "HbA1c", "hba1c", "Insulin", "migraine", "  "], subjects: [base, tuned, null] });
    expect(table.evaluatedQueries).toBe(5);
    expect(table.termsFound).toBe(3); // migraine occurs nowhere; "hba1c" is the same term as "HbA1c"
    expect(table.rows.map((r) => [r.term, r.queries])).toEqual([[null, 4], ["HbA1c", 3], ["胰岛素", 2], ["Insulin", 1]]);
    const [any, hba1c, insulinZh, insulinEn] = table.rows;
    // Any term: q1, q2, q3, q5.
    expect(any!.values[0]!["recall@10"]).toBeCloseTo((1 + 0 + 0.5 + 0) / 4, 10);
    expect(any!.values[1]!["recall@10"]).toBeCloseTo((1 + 1 + 1 + 0) / 4, 10);
    expect(any!.values[0]!["ndcg@10"]).toBeCloseTo((0.5 + 0 + 0.25 + 0) / 4, 10);
    expect(any!.values[1]!["ndcg@10"]).toBeCloseTo((1 + 0.5 + 0.5 + 0) / 4, 10);
    expect(any!.delta[1]!["recall@10"]).toBeCloseTo(0.375, 10);
    expect(any!.delta[1]!["ndcg@10"]).toBeCloseTo(0.3125, 10);
    expect(any!.delta[0]!["recall@10"]).toBeNull();
    // A subject without results has no values and no delta.
    expect(any!.values[2]).toEqual({ "recall@10": null, "ndcg@10": null });
    expect(any!.delta[2]).toEqual({ "recall@10": null, "ndcg@10": null });
    // HbA1c: q2, q3, q5.
    expect(hba1c!.values[0]!["recall@10"]).toBeCloseTo(0.5 / 3, 10);
    expect(hba1c!.values[1]!["recall@10"]).toBeCloseTo(2 / 3, 10);
    expect(hba1c!.delta[1]!["recall@10"]).toBeCloseTo(0.5, 10);
    expect(hba1c!.values[1]!["ndcg@10"]).toBeCloseTo(1 / 3, 10);
    // 胰岛素: q1, q5 — equal recall, better nDCG.
    expect(insulinZh!.values.map((v) => v["recall@10"])).toEqual([0.5, 0.5, null]);
    expect(insulinZh!.delta[1]).toEqual({ "recall@10": 0, "ndcg@10": 0.25 });
    // Insulin (English, matched in "insulin?"): q3 only.
    expect(insulinEn!.values.map((v) => v["recall@10"])).toEqual([0.5, 1, null]);
  });

  it("keeps the top terms only, and has no values (never NaN) when no query matches", () => {
    const top = termRecallTable({ queryText, terms: ["胰岛素", "hba1c", "insulin"], subjects: [base, tuned], topTerms: 1 });
    expect(top.rows.map((r) => r.term)).toEqual([null, "hba1c"]);
    const none = termRecallTable({ queryText, terms: ["migraine"], subjects: [base, tuned] });
    expect(none.rows).toEqual([{ term: null, queries: 0, values: [{ "recall@10": null, "ndcg@10": null }, { "recall@10": null, "ndcg@10": null }], delta: [{ "recall@10": null, "ndcg@10": null }, { "recall@10": null, "ndcg@10": null }] }]);
  });
});
