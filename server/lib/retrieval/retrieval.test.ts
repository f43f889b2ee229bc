import { describe, expect, it } from "vitest";
import { colbertScore } from "./colbert";
import { reciprocalRankFusion, weightedSum } from "./fusion";
import { mineNegatives } from "./hn-mine";
import { lexicalScore, SparseIndex } from "./sparse";

describe("sparse", () => {
  it("lexical score and inverted-index search agree", () => {
    const docs = [new Map([[5, 0.5], [7, 0.2]]), new Map([[7, 1.0]]), new Map([[9, 0.3]])];
    const q = new Map([[5, 1.0], [7, 0.5]]);
    expect(lexicalScore(q, docs[0]!)).toBeCloseTo(0.6);
    expect(new SparseIndex(docs).search(q, 10)).toEqual([{ index: 0, score: expect.closeTo(0.6) }, { index: 1, score: expect.closeTo(0.5) }]);
  });
});

describe("colbert and fusion", () => {
  it("maxsim averaged over query vectors", () => {
    const q = Float32Array.from([1, 0, 0, 1]);
    const p = Float32Array.from([1, 0, 0.6, 0.8]);
    expect(colbertScore(q, p, 2)).toBeCloseTo((1 + 0.8) / 2);
  });
  it("weighted sum with README weights; RRF", () => {
    expect(weightedSum({ dense: 0.5, sparse: 0.2, colbert: 0.7 })).toBeCloseTo((0.4 * 0.5 + 0.2 * 0.2 + 0.4 * 0.7) / 1.0);
    const r = reciprocalRankFusion([["a", "b"], ["b", "c"]]);
    expect(r[0]!.id).toBe("b");
    expect(r[0]!.score).toBeCloseTo(1 / 62 + 1 / 61);
  });
});

describe("hard-negative mining", () => {
  const pool = Array.from({ length: 300 }, (_, i) => `doc ${i}`);
  pool[12] = "the query"; // the query text itself in the pool
  const ranked = pool.map((_, i) => ({ index: i, score: 1 - i / 1000 }));
  const q = { query: "the query", pos: ["doc 11", "doc 50"], ranked }; // no positive scores → guard off

  it("respects the range and never returns a positive or the query", () => {
    const [m] = mineNegatives(pool, [q], { rangeStart: 10, rangeEnd: 60, negatives: 15, seed: 3 });
    expect(m!.neg).toHaveLength(15);
    for (const i of m!.negIndices) {
      expect(i).toBeGreaterThanOrEqual(10);
      expect(i).toBeLessThan(60);
    }
    expect(m!.neg).not.toContain("doc 11");
    expect(m!.neg).not.toContain("doc 50");
    expect(m!.neg).not.toContain("the query");
    expect(new Set(m!.neg).size).toBe(15);
  });

  it("is deterministic with a seed and differs across seeds", () => {
    const a = mineNegatives(pool, [q], { seed: 1 })[0]!.neg;
    expect(mineNegatives(pool, [q], { seed: 1 })[0]!.neg).toEqual(a);
    expect(mineNegatives(pool, [q], { seed: 2 })[0]!.neg).not.toEqual(a);
  });

  it("false-negative guard skips candidates above ratio × positive score", () => {
    const guarded = { ...q, posScores: [1.0] }; // threshold 0.95 → ranks 10..49 score > 0.95
    const [m] = mineNegatives(pool, [guarded], { rangeStart: 10, rangeEnd: 60, negatives: 5, seed: 1 });
    expect(m!.skippedAsFalseNegative).toBe(40 - 2); // ranks 10–49 minus the positive (11) and the query (12)
    for (const i of m!.negIndices) expect(ranked[i]!.score).toBeLessThanOrEqual(0.95);
  });

  it("pads from the pool when the range is short, still excluding positives and the query", () => {
    const [m] = mineNegatives(pool, [{ ...q, ranked: ranked.slice(0, 14) }], { negatives: 15, seed: 4 });
    expect(m!.fromRange).toBe(2); // ranks 10..13 minus doc 11 and the query
    expect(m!.padded).toBe(13);
    expect(m!.neg).not.toContain("doc 11");
    expect(m!.neg).not.toContain("doc 50");
    expect(m!.neg).not.toContain("the query");
    expect(new Set(m!.neg).size).toBe(15);
  });
});
