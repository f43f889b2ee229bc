import { describe, expect, it } from "vitest";
import {
  analyzeErrors, bootstrapCi, compareEvaluations, comparisonTable, domainTermRecall, evaluateRun, formatRelative, pca2d,
  randomizationTest, tsne2d, umap2d, type Qrels, type Run,
} from "./index";

describe("paired significance", () => {
  it("identical systems: p = 1, CI = [0, 0]", () => {
    const a = [0.1, 0.5, 0.7, 0.2];
    expect(randomizationTest(a, a, { permutations: 500 })).toBe(1);
    expect(bootstrapCi(a, a, { resamples: 200 })).toMatchObject({ mean: 0, lower: 0, upper: 0 });
  });
  it("a consistent improvement is significant and its CI excludes 0; deterministic with a seed", () => {
    const a = Array.from({ length: 40 }, (_, i) => (i % 7) / 10);
    const b = a.map((x, i) => x + 0.1 + (i % 3) * 0.01);
    const p = randomizationTest(a, b, { permutations: 2000, seed: 1 });
    expect(p).toBeLessThan(0.01);
    expect(randomizationTest(a, b, { permutations: 2000, seed: 1 })).toBe(p);
    const ci = bootstrapCi(a, b, { resamples: 2000 });
    expect(ci.lower).toBeGreaterThan(0);
    expect(ci.mean).toBeCloseTo(0.1 + (13 * 0.01 + 13 * 0.02) / 40, 10);
  });
  it("throws on empty input instead of NaN", () => {
    expect(() => randomizationTest([], [])).toThrow(/at least one/);
  });
});

const qrels: Qrels = new Map([
  ["q1", new Map([["d1", 1]])],
  ["q2", new Map([["d2", 1], ["d3", 1], ["d4", 1]])],
  ["q3", new Map([["d5", 1]])],
  ["q4", new Map([["d6", 1]])],
  ["q5", new Map([["d0", 0]])],
]);
const docs = (...ids: string[]) => ids.map((docId, i) => ({ docId, score: 10 - i }));
const run: Run = new Map([
  ["q1", docs("x", "y")], // complete failure
  ["q2", docs("d2", "x")], // 1/3 found → partial
  ["q3", docs("a", "b", "c", "d5")], // rank 4 → ranking issue
  ["q4", docs("d6")], // ok
]);

describe("error analysis (article categories)", () => {
  it("classifies each query", () => {
    const ea = analyzeErrors(qrels, run, { queryText: (q) => `text of ${q}` });
    expect(ea.counts).toEqual({ complete_failure: 1, partial_failure: 1, ranking_issue: 1 });
    expect(ea.ok).toBe(1);
    expect(ea.unjudged).toBe(1);
    expect(ea.shares.complete_failure).toBeCloseTo(0.25);
    expect(ea.examples.ranking_issue[0]).toMatchObject({ qid: "q3", query: "text of q3", description: "first relevant document at rank 4" });
    expect(ea.examples.complete_failure[0]!.description).toMatch(/best was x/);
    expect(ea.suggestions.length).toBeGreaterThan(0);
  });
});

describe("comparison and domain-term recall", () => {
  it("deltas and the article's relative change", () => {
    const base = evaluateRun(qrels, run);
    const better: Run = new Map(run);
    better.set("q1", docs("d1"));
    const tuned = evaluateRun(qrels, better);
    const rows = compareEvaluations(base, tuned, { metrics: ["hit@10", "P@1"], permutations: 200, resamples: 200 });
    expect(rows[0]).toMatchObject({ metric: "hit@10", base: 0.6, tuned: 0.8 });
    expect(rows[0]!.relativePct).toBeCloseTo(33.333, 2);
    expect(formatRelative(23.61)).toBe("+23.6%");
    const table = comparisonTable(rows).split("\n");
    expect(table).toHaveLength(4);
    expect(table[2]).toMatch(/^\| hit@10 \| 0\.6000 \| 0\.8000 \| \+33\.3% \| /);
    expect(formatRelative(null)).toBe("n/a");
  });
  it("recall@k over queries containing a glossary term; null when none", () => {
    const ev = evaluateRun(qrels, run);
    const queries = new Map([["q1", "胰岛素 剂量"], ["q4", "Insulin dose"], ["q3", "other"]]);
    const r = domainTermRecall(ev, queries, ["胰岛素", "insulin"], 10);
    expect(r.matchedQueries).toBe(2);
    expect(r.recall).toBeCloseTo(0.5);
    expect(r.termCounts).toEqual({ 胰岛素: 1, insulin: 1 });
    expect(domainTermRecall(ev, queries, ["nothing"]).recall).toBeNull();
  });
});

describe("2-D projections", () => {
  // Two well-separated clusters in 8-D.
  const n = 40, d = 8;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = (i < 20 ? 5 : -5) * (j === 0 ? 1 : 0) + Math.sin(i * 13 + j * 7);
  const separated = (pts: Array<[number, number]>) => {
    const mean = (s: number, e: number) => pts.slice(s, e).reduce((acc, p) => [acc[0] + p[0] / (e - s), acc[1] + p[1] / (e - s)], [0, 0]);
    const [a, b] = [mean(0, 20), mean(20, 40)];
    return Math.hypot(a[0] - b[0], a[1] - b[1]);
  };
  it("PCA finds the separating axis", () => {
    const p = pca2d(data, n, d);
    expect(p.points).toHaveLength(n);
    expect(p.explainedVariance![0]).toBeGreaterThan(0.5);
    expect(Math.abs(p.points[0]![0] - p.points[39]![0])).toBeGreaterThan(8);
  });
  it("t-SNE and UMAP give finite points that keep the clusters apart", () => {
    const t = tsne2d(data, n, d, { iterations: 300 });
    expect(t.points.every((p) => p.every(Number.isFinite))).toBe(true);
    expect(separated(t.points)).toBeGreaterThan(1);
    const u = umap2d(data, n, d, { epochs: 100 });
    expect(u.points).toHaveLength(n);
    expect(u.points.every((p) => p.every(Number.isFinite))).toBe(true);
  });
});
