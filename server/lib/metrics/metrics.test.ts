import { describe, expect, it } from "vitest";
import { evaluateRun, MetricInputError, parseTrecQrels, parseTrecRun, evaluateQuery, rankDocs, metricKeys } from "./index";

/**
 * Graded fixture, computed by hand.
 *   q1: d1 grade 2, d2 grade 1, d7 grade 1 (never retrieved), d5 grade 0 (judged non-relevant) → R = 3
 *       run: d2 0.9, d1 0.8, d5 0.8, d9 0.8 (three-way tie), d8 0.5
 *       tie rule (trec_eval): equal scores by docid descending → d2, d9, d5, d1, d8
 *       relevance by rank: [1, 0, 0, 2, 0]
 *   q2: only d3 grade 0 → no relevant document → all metrics 0 (but it counts in the mean)
 *   q3: d4 grade 1, absent from the run → all metrics 0
 *   q4: in the run only → ignored
 */
const QRELS = `q1 0 d1 2
q1 0 d2 1
q1 0 d5 0
q1 0 d7 1
q2 0 d3 0
q3 0 d4 1
`;
const RUN = `q1 Q0 d1 1 0.8 t
q1 Q0 d2 2 0.9 t
q1 Q0 d5 3 0.8 t
q1 Q0 d9 4 0.8 t
q1 Q0 d8 5 0.5 t
q2 Q0 d3 1 0.7 t
q2 Q0 d1 2 0.6 t
q4 Q0 d1 1 1.0 t
`;

const L = Math.log2;
// q1 by hand, per k.
const IDCG3 = 2 / L(2) + 1 / L(3) + 1 / L(4); // ideal grades [2, 1, 1]
const q1: Record<string, number> = {
  "P@1": 1, "P@3": 1 / 3, "P@5": 2 / 5, "P@10": 2 / 10, "P@20": 2 / 20, "P@100": 2 / 100,
  "recall@1": 1 / 3, "recall@3": 1 / 3, "recall@5": 2 / 3, "recall@10": 2 / 3, "recall@20": 2 / 3, "recall@100": 2 / 3,
  "mrr@1": 1, "mrr@3": 1, "mrr@5": 1, "mrr@10": 1, "mrr@20": 1, "mrr@100": 1,
  // linear gain: grade / log2(rank + 1); ideal DCG@1 = 2
  "ndcg@1": 1 / 2,
  "ndcg@3": 1 / IDCG3,
  "ndcg@5": (1 + 2 / L(5)) / IDCG3,
  "ndcg@10": (1 + 2 / L(5)) / IDCG3, "ndcg@20": (1 + 2 / L(5)) / IDCG3, "ndcg@100": (1 + 2 / L(5)) / IDCG3,
  // MAP: precision at each relevant rank (1/1 at rank 1, 2/4 at rank 4), divided by R = 3
  "map@1": 1 / 3, "map@3": 1 / 3, "map@5": (1 + 2 / 4) / 3, "map@10": 0.5, "map@20": 0.5, "map@100": 0.5,
  "hit@1": 1, "hit@3": 1, "hit@5": 1, "hit@10": 1, "hit@20": 1, "hit@100": 1,
};

describe("metric contract on a hand-computed graded fixture", () => {
  const ev = evaluateRun(parseTrecQrels(QRELS, "qrels.txt"), parseTrecRun(RUN, "run.txt"));

  it("applies trec_eval's tie rule (score desc, then docid desc)", () => {
    const ranked = rankDocs(parseTrecRun(RUN).get("q1")!);
    expect(ranked.map((d) => d.docId)).toEqual(["d2", "d9", "d5", "d1", "d8"]);
  });

  it("per-query values of q1 match the hand computation", () => {
    const m = ev.perQuery.get("q1")!;
    for (const key of metricKeys()) expect(m[key], key).toBeCloseTo(q1[key]!, 12);
  });

  it("spot values as decimals", () => {
    expect(ev.perQuery.get("q1")!["ndcg@3"]).toBeCloseTo(0.319393, 5);
    expect(ev.perQuery.get("q1")!["ndcg@5"]).toBeCloseTo(0.594506, 5);
    expect(ev.perQuery.get("q1")!["map@5"]).toBeCloseTo(0.5, 12);
  });

  it("queries without relevant documents or absent from the run score 0 and count in the mean", () => {
    expect(ev.numQueries).toBe(3);
    expect(ev.queriesWithoutRelevant).toEqual(["q2"]);
    expect(ev.queriesMissingFromRun).toEqual(["q3"]);
    for (const key of metricKeys()) {
      expect(ev.perQuery.get("q2")![key]).toBe(0);
      expect(ev.perQuery.get("q3")![key]).toBe(0);
      expect(ev.mean[key], key).toBeCloseTo(q1[key]! / 3, 12);
      expect(Number.isNaN(ev.mean[key])).toBe(false);
    }
    expect(ev.perQuery.has("q4")).toBe(false);
  });

  it("MAP divides by R (not min(k, R)) and nDCG uses linear gain", () => {
    // 5 relevant docs, only one retrieved at rank 1: MAP@1 = 1/5 (min(k,R) would give 1).
    const g = new Map([["a", 1], ["b", 1], ["c", 1], ["d", 1], ["e", 1]]);
    expect(evaluateQuery(g, [{ docId: "a", score: 1 }], [1])["map@1"]).toBeCloseTo(1 / 5, 12);
    // grade 3 at rank 2 and grade 1 at rank 1: DCG = 1 + 3/log2(3); ideal = 3 + 1/log2(3).
    const g2 = new Map([["x", 3], ["y", 1]]);
    const m = evaluateQuery(g2, [{ docId: "y", score: 2 }, { docId: "x", score: 1 }], [3]);
    expect(m["ndcg@3"]).toBeCloseTo((1 + 3 / L(3)) / (3 + 1 / L(3)), 12); // exponential gain would differ
  });

  it("keeps a document whose id equals the query id", () => {
    const m = evaluateQuery(new Map([["q1", 1]]), [{ docId: "q1", score: 1 }], [1]);
    expect(m["P@1"]).toBe(1);
  });

  it("rejects bad input with the file and ids named", () => {
    expect(() => parseTrecQrels("", "empty.qrels")).toThrow(/empty\.qrels/);
    expect(() => parseTrecQrels("q1 0 d1 x", "a.qrels")).toThrow(/a\.qrels:1.*q1.*d1/);
    expect(() => parseTrecRun("q1 Q0 d1 1 0.5 t\nq1 Q0 d1 2 0.4 t", "r.run")).toThrow(/r\.run:2.*q1.*d1/);
    expect(() => parseTrecRun("q1 Q0 d1 1 NaN t", "r.run")).toThrow(/not a finite number/);
    expect(() => evaluateRun(new Map(), new Map())).toThrow(MetricInputError);
  });
});
