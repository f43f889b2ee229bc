import { MEDQUAD_JSONL, ZH_DIALOGUE_CSV } from "../../testing/shared-data";
import { describe, expect, it } from "vitest";
import { readRecords } from "../parsing";
import {
  buildQualityReport,
  cosine,
  distribution,
  exactDuplicates,
  findCrossNearDuplicates,
  findNearDuplicates,
  histogram,
  jaccard,
  lengthStats,
  percentile,
  posNegSimilarity,
  qualityScore,
  shingles,
  terms,
  TfIdf,
  trainEvalLeakage,
  type QualityRow,
} from "./index";

describe("tokens", () => {
  it("Chinese → character bigrams, English → words, NFKC + lower case", () => {
    expect(terms("脂肪肝 Fatty liver!")).toEqual(["脂肪", "肪肝", "fatty", "liver"]);
    expect(terms("肝")).toEqual(["肝"]);
    expect(terms("ＡＢＣ１２３")).toEqual(["abc123"]);
    expect([...shingles("What are symptoms?")]).toEqual(["what", "what are", "are", "are symptoms", "symptoms"]);
  });
  it("jaccard", () => {
    expect(jaccard(new Set(["a", "b", "c"]), new Set(["b", "c", "d"]))).toBeCloseTo(2 / 4, 12);
  });
});

describe("TF-IDF cosine (hand-computed, sklearn defaults)", () => {
  it("two documents", () => {
    const m = TfIdf.fit(["a b", "a c"]);
    // idf(a) = ln(3/3)+1 = 1, idf(b) = idf(c) = ln(3/2)+1; cos = 1 / (1 + idf(b)^2)
    const idfB = Math.log(1.5) + 1;
    expect(m.idf("b")).toBeCloseTo(idfB, 12);
    expect(cosine(m.vector("a b"), m.vector("a c"))).toBeCloseTo(1 / (1 + idfB * idfB), 12);
    expect(cosine(m.vector("a b"), m.vector("A  B"))).toBeCloseTo(1, 12);
  });
  it("pos/neg similarity: mean, max, flagged negatives that look like positives", () => {
    const rows = [
      { pos: ["insulin dose adjustment weekly"], neg: ["insulin dose adjustment weekly", "diabetes diagnosis criteria"] },
      { pos: ["胰岛素剂量调整"], neg: [] },
    ];
    const r = posNegSimilarity(rows);
    expect(r.count).toBe(2);
    expect(r.max).toBeCloseTo(1, 12);
    expect(r.mean).toBeCloseTo(0.5, 12); // 1 and 0 (no shared term)
    expect(r.flagged).toEqual([{ row: 0, neg: 0, cosine: expect.closeTo(1, 12) as unknown as number }]);
    expect(r.flaggedCount).toBe(1);
  });
});

describe("lengths", () => {
  it("percentiles (nearest rank), histogram bins and truncation share", () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(histogram([0, 1, 5, 9, 10], 2)).toEqual({ edges: [0, 5, 10], counts: [2, 3] });
    const d = distribution([3, 1, 2]);
    expect(d).toMatchObject({ count: 3, min: 1, max: 3, mean: 2, p50: 2 });
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const s = lengthStats(["a b c", "a", "a b c d e", "肝脏"], { countTokens: words, maxLengths: [2, 4] });
    expect(s.chars.max).toBe(9);
    expect(s.chars.min).toBe(1);
    expect(s.tokens?.max).toBe(5);
    expect(s.truncated).toEqual([
      { maxLength: 2, count: 2, share: 0.5 },
      { maxLength: 4, count: 1, share: 0.25 },
    ]);
    // without a tokenizer: characters (code points; 肝脏 is 2)
    expect(lengthStats(["肝脏", "abc"], { maxLengths: [2] }).truncated).toEqual([{ maxLength: 2, count: 1, share: 0.5 }]);
  });
});

describe("duplicates", () => {
  it("exact (query, first positive) duplicates after normalisation", () => {
    const d = exactDuplicates([
      { query: "What is X?", pos: ["A"] },
      { query: "what  is x?", pos: ["a"] },
      { query: "What is X?", pos: ["B"] },
      { query: "Other", pos: ["A"] },
    ]);
    expect(d).toEqual({ duplicateRows: 1, rate: 0.25, duplicateQueries: 2, queryRate: 0.5, examples: [[1, 0]] });
  });

  it("near-duplicate queries, English and Chinese", () => {
    const texts = [
      "What are the symptoms of ABCD syndrome?",
      "what are the symptoms of abcd syndrome",
      "What are the symptoms of XYZ syndrome?", // J = 10/16 with the first: not a duplicate
      "轻度脂肪肝怎样医治更好呢",
      "轻度脂肪肝怎样医治更好", // 10 of 11 bigrams: J = 10/11
      "轻度脂肪肝怎样治疗更好呢", // J = 8/14
      "!!!",
    ];
    const r = findNearDuplicates(texts);
    expect(r.clusters).toEqual([
      [0, 1],
      [3, 4],
    ]);
    expect(r.pairs).toEqual([
      [0, 1, 1],
      [3, 4, 10 / 11],
    ]);
    expect(r.rate).toBeCloseTo(2 / 7, 12);
    expect(jaccard(shingles(texts[0]!), shingles(texts[2]!))).toBeCloseTo(10 / 16, 12);
  });

  it("LSH finds (almost) every pair above the threshold that brute force finds, deterministically", async () => {
    const qs: string[] = [];
    for await (const { record } of readRecords(MEDQUAD_JSONL, { format: "jsonl" })) {
      qs.push(String(record.question));
      if (qs.length >= 400) break;
    }
    const sets = qs.map(shingles);
    let brute = 0;
    for (let i = 0; i < qs.length; i++) for (let j = i + 1; j < qs.length; j++) if (jaccard(sets[i]!, sets[j]!) >= 0.8) brute++;
    const r = findNearDuplicates(qs, { seed: 7 });
    expect(brute).toBeGreaterThan(0);
    expect(r.pairs.length).toBeLessThanOrEqual(brute);
    expect(r.pairs.length).toBeGreaterThanOrEqual(Math.floor(brute * 0.97));
    expect(findNearDuplicates(qs, { seed: 7 })).toEqual(r);
  });

  it("many identical queries stay linear and cluster together", () => {
    const texts = Array.from({ length: 3000 }, (_, i) => (i % 2 ? "same question about the liver" : `unique ${i} topic ${i * 7}`));
    const r = findNearDuplicates(texts);
    expect(r.clusters).toHaveLength(1);
    expect(r.clusters[0]).toHaveLength(1500);
  });
});

describe("leakage", () => {
  it("exact and near-duplicate queries and passages shared across splits", () => {
    const train = { queries: ["How is hepatitis B treated?", "What causes gallstones?"], passages: ["Antiviral drugs treat chronic hepatitis B.", "p2"] };
    const evaluation = {
      queries: ["how is hepatitis b treated", "What causes kidney stones?", "How is hepatitis B treated today?"],
      passages: ["Antiviral drugs treat chronic hepatitis B.", "unrelated passage"],
    };
    const l = trainEvalLeakage(train, evaluation);
    expect(l.queries).toMatchObject({ exact: 1, near: 2, total: 3 });
    // "How is hepatitis B treated today?" shares 9 of 11 shingles with the train query: J = 9/11 ≈ 0.82 ≥ 0.8
    expect(findCrossNearDuplicates(train.queries, ["How is hepatitis B treated today?", "What causes kidney stones?"])).toEqual([
      { probe: 0, reference: 0, jaccard: 9 / 11 },
    ]);
    expect(l.passages).toMatchObject({ exact: 1, near: 1, total: 2, exactRate: 0.5 });
  });
});

describe("score", () => {
  it("a clean dataset scores 100", () => {
    expect(
      qualityScore({ rows: 5000, duplicateRate: 0.01, posNegMeanCosine: 0.1, negativesLookPositiveShare: 0, nearDuplicateQueryRate: 0.02, noNegativeShare: 0 }),
    ).toEqual({ score: 100, pass: true, warnings: [] });
  });
  it("a set where every row lacks a negative cannot score 100 (#20)", () => {
    const s = qualityScore({ rows: 5000, duplicateRate: 0, posNegMeanCosine: null, negativesLookPositiveShare: null, nearDuplicateQueryRate: 0, noNegativeShare: 1 });
    expect(s.warnings.map((w) => w.code)).toEqual(["no-negatives"]);
    expect(s.score).toBeLessThan(100);
  });
  it("the article's three rules: 100 − 20 − 30 − 20 = 30", () => {
    const s = qualityScore({ rows: 999, duplicateRate: 0.06, posNegMeanCosine: 0.31, negativesLookPositiveShare: 0, nearDuplicateQueryRate: 0, noNegativeShare: 0 });
    expect(s.score).toBe(30);
    expect(s.pass).toBe(false);
    expect(s.warnings.map((w) => w.code)).toEqual(["duplicates", "pos-neg-similar", "too-few-samples"]);
  });
  it("our rules: leakage, near duplicates, false negatives, truncation; floor at 0", () => {
    const s = qualityScore({
      rows: 2000,
      duplicateRate: 0,
      posNegMeanCosine: 0.2,
      negativesLookPositiveShare: 0.02,
      nearDuplicateQueryRate: 0.11,
      leakageExact: 3,
      leakageNearQueryRate: 0.02,
      queryTruncatedShare: 0.06,
      passageTruncatedShare: 0.2,
      noNegativeShare: 0.6,
    });
    expect(s.warnings.map((w) => [w.code, w.penalty])).toEqual([
      ["near-duplicate-queries", 10],
      ["negatives-look-positive", 10],
      ["leakage-exact", 20],
      ["leakage-near", 10],
      ["queries-truncated", 5],
      ["passages-truncated", 10],
      ["no-negatives", 10],
    ]);
    expect(s.score).toBe(25);
    expect(qualityScore({ rows: 1, duplicateRate: 1, posNegMeanCosine: 1, negativesLookPositiveShare: 1, nearDuplicateQueryRate: 1, leakageExact: 1, leakageNearQueryRate: 1, noNegativeShare: 1 }).score).toBe(0);
  });
});

describe("full report", () => {
  it("on a small dataset, with an injected tokenizer and an evaluation split", () => {
    const rows: QualityRow[] = [
      { query: "胰岛素用量如何调整?", pos: ["2型糖尿病患者应每周监测空腹血糖"], neg: ["糖尿病的诊断标准包括"] },
      { query: "胰岛素用量如何调整", pos: ["2型糖尿病患者应每周监测空腹血糖"], neg: [] },
      { query: "What is hepatitis?", pos: ["Hepatitis is inflammation of the liver."], neg: ["Hepatitis is inflammation of the liver."] },
    ];
    const r = buildQualityReport(rows, {
      countTokens: (t) => Array.from(t).length,
      queryMaxLengths: [8],
      passageMaxLengths: [20],
      evaluation: { queries: ["What is hepatitis?"], passages: [] },
    });
    expect(r.counts).toEqual({ rows: 3, positives: 3, negatives: 2, rowsWithoutNegatives: 1 });
    expect(r.duplicates.duplicateRows).toBe(1);
    expect(r.nearDuplicateQueries.clusters).toEqual([[0, 1]]);
    expect(r.posNeg.flaggedCount).toBe(1);
    expect(r.leakage?.queries.exact).toBe(1);
    expect(r.lengths.query.truncated[0]).toEqual({ maxLength: 8, count: 3, share: 1 });
    expect(r.warnings.map((w) => w.code)).toEqual([
      "duplicates",
      "pos-neg-similar",
      "too-few-samples",
      "near-duplicate-queries",
      "negatives-look-positive",
      "leakage-exact",
      "leakage-near",
      "queries-truncated",
      "passages-truncated",
    ]);
    expect(r.score).toBe(0);
  });

  it("on the real Chinese dialogue data (title → answer), duplicate answers show up", async () => {
    const rows: QualityRow[] = [];
    for await (const { record } of readRecords(ZH_DIALOGUE_CSV, { format: "csv" }))
      rows.push({ query: String(record.title), pos: [String(record.answer)], neg: [] });
    const r = buildQualityReport(rows);
    expect(r.counts.rows).toBe(4535);
    expect(r.lengths.query.chars.mean).toBeGreaterThan(5);
    expect(r.score).toBeGreaterThan(0);
    expect(r.warnings.some((w) => w.code === "no-negatives")).toBe(true);
    // no tokenizer: the token-count defaults are not compared with characters
    expect(r.lengths.query.truncated).toEqual([]);
    expect(r.warnings.some((w) => w.code.endsWith("-truncated"))).toBe(false);
  });
});
