import { describe, expect, it } from "vitest";
import { assignOverlap, cohensKappa, pairwiseKappa, type Judgement } from "./index";

const rep = <T,>(x: T, n: number) => new Array<T>(n).fill(x);

describe("Cohen's kappa (hand-computed)", () => {
  it("accept/reject 2×2 table: 20 both accept, 5 A-only, 10 B-only, 15 both reject → κ = 0.4", () => {
    // pₒ = 35/50 = 0.7; pA(accept) = 0.5, pB(accept) = 0.6; pₑ = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2 / 0.5
    const a = [...rep("accept", 20), ...rep("accept", 5), ...rep("reject", 10), ...rep("reject", 15)];
    const b = [...rep("accept", 20), ...rep("reject", 5), ...rep("accept", 10), ...rep("reject", 15)];
    const r = cohensKappa(a, b);
    expect(r.n).toBe(50);
    expect(r.observed).toBeCloseTo(0.7, 12);
    expect(r.expected).toBeCloseTo(0.5, 12);
    expect(r.kappa).toBeCloseTo(0.4, 12);
  });

  it("grades 0–3: unweighted 2/3, quadratic 11/12", () => {
    // A = 0,1,2,3; B = 0,1,3,3. Unweighted: pₒ = 3/4, pₑ = ¼(¼ + ¼ + 0 + ½) = ¼ → κ = (¾ − ¼)/(¾) = 2/3.
    // Quadratic, w = (i−j)²/9: Σw·O = (1/9)(1/4) = 1/36; Σw·E = (1/4)(1/9)(4.75 + 2.25 + 1.75 + 3.25) = 1/3
    // → κ_w = 1 − (1/36)/(1/3) = 11/12.
    const a = [0, 1, 2, 3];
    const b = [0, 1, 3, 3];
    expect(cohensKappa(a, b, { categories: [0, 1, 2, 3] }).kappa).toBeCloseTo(2 / 3, 12);
    expect(cohensKappa(a, b, { weights: "quadratic", categories: [0, 1, 2, 3] }).kappa).toBeCloseTo(11 / 12, 12);
  });

  it("quadratic weights use the full scale when categories are given", () => {
    // A = 0,3; B = 1,3 with categories 0..3: Σw·O = ½·(1/9) = 1/18;
    // E: pA = {0:½, 3:½}, pB = {1:½, 3:½}: Σw·E = ¼·(1/9)(1 + 9 + 4 + 0) = 14/36 → κ_w = 1 − (1/18)/(14/36) = 6/7
    expect(cohensKappa([0, 3], [1, 3], { weights: "quadratic", categories: [0, 1, 2, 3] }).kappa).toBeCloseTo(6 / 7, 12);
  });

  it("perfect agreement is 1; total chance agreement is undefined (null); mismatched lengths throw", () => {
    expect(cohensKappa(["a", "b", "a"], ["a", "b", "a"]).kappa).toBeCloseTo(1, 12);
    expect(cohensKappa(["a", "a"], ["a", "a"]).kappa).toBeNull();
    expect(cohensKappa(["a", "b"], ["b", "a"]).kappa).toBeCloseTo(-1, 12);
    expect(() => cohensKappa(["a"], [])).toThrow(RangeError);
    expect(() => cohensKappa([5], [1], { categories: [0, 1, 2, 3] })).toThrow(/not among the categories/);
  });
});

describe("pairwise kappa from judgements", () => {
  it("per pair of reviewers, over common items, last judgement wins", () => {
    const j: Judgement[] = [];
    const labels: Record<string, string[]> = {
      ann: ["accept", "accept", "reject", "reject", "accept"],
      bob: ["accept", "reject", "reject", "reject", "accept"],
      cy: ["accept", "accept", "reject", "accept", "accept"],
    };
    for (const [r, ls] of Object.entries(labels)) ls.forEach((label, i) => j.push({ itemId: `i${i}`, reviewerId: r, label }));
    j.push({ itemId: "i1", reviewerId: "bob", label: "accept" }); // bob changes his mind on i1
    j.push({ itemId: "solo", reviewerId: "dee", label: "accept" }); // dee shares no item: no pair
    const res = pairwiseKappa(j);
    expect(res.map((p) => [p.reviewerA, p.reviewerB, p.n])).toEqual([
      ["ann", "bob", 5],
      ["ann", "cy", 5],
      ["bob", "cy", 5],
    ]);
    // ann vs bob now identical → 1; ann vs cy: pₒ = 4/5, pA(acc) = 3/5, pC(acc) = 4/5, pₑ = 12/25 + 2/25 = 14/25 → κ = (20/25 − 14/25)/(11/25) = 6/11
    expect(res[0]!.kappa).toBeCloseTo(1, 12);
    expect(res[0]!.meetsBar).toBe(true);
    expect(res[1]!.kappa).toBeCloseTo(6 / 11, 12);
    expect(res[1]!.meetsBar).toBe(false);
  });

  it("graded relevance with quadratic weights", () => {
    const j: Judgement[] = [0, 1, 2, 3].flatMap((g, i) => [
      { itemId: `q${i}`, reviewerId: "a", label: g },
      { itemId: `q${i}`, reviewerId: "b", label: [0, 1, 3, 3][i]! },
    ]);
    expect(pairwiseKappa(j, { weights: "quadratic", categories: [0, 1, 2, 3] })[0]!.kappa).toBeCloseTo(11 / 12, 12);
  });
});

describe("overlap assignment", () => {
  const items = Array.from({ length: 101 }, (_, i) => `item-${i}`);
  const reviewers = ["r1", "r2", "r3", "r4", "r5"];

  it("each item to `overlap` distinct reviewers, balanced loads, every pair shares items, deterministic", () => {
    const a = assignOverlap(items, reviewers, { overlap: 2, seed: 7 });
    expect(a.map((x) => x.itemId)).toEqual(items);
    expect(a.every((x) => x.reviewerIds.length === 2 && new Set(x.reviewerIds).size === 2)).toBe(true);
    const load = new Map<string, number>();
    for (const x of a) for (const r of x.reviewerIds) load.set(r, (load.get(r) ?? 0) + 1);
    const loads = [...load.values()];
    expect(loads.reduce((s, v) => s + v, 0)).toBe(202);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    const pairs = new Map<string, number>();
    for (const x of a) {
      const [p, q] = [...x.reviewerIds].sort();
      pairs.set(`${p}-${q}`, (pairs.get(`${p}-${q}`) ?? 0) + 1);
    }
    expect(pairs.size).toBe(10); // all C(5,2) pairs
    expect(Math.min(...pairs.values())).toBeGreaterThanOrEqual(5);
    expect(assignOverlap(items, reviewers, { overlap: 2, seed: 7 })).toEqual(a);
    expect(assignOverlap(items, reviewers, { overlap: 2, seed: 8 })).not.toEqual(a);
  });

  it("overlap 3 of 3 and bad overlaps", () => {
    const a = assignOverlap(["x", "y"], ["a", "b", "c"], { overlap: 3 });
    expect(a.every((x) => [...x.reviewerIds].sort().join() === "a,b,c")).toBe(true);
    expect(() => assignOverlap(["x"], ["a"], { overlap: 2 })).toThrow(RangeError);
    expect(() => assignOverlap(["x"], ["a", "a"], { overlap: 1 })).toThrow(/distinct/);
    expect(assignOverlap([], ["a"], { overlap: 1 })).toEqual([]);
  });
});
