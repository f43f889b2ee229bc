import { describe, expect, it } from "vitest";
import { paddingShare, planBatches, planFixedBatches } from "./batcher";

describe("token-budget batcher", () => {
  const lengths = [5, 100, 7, 98, 6, 50, 3];
  it("covers every input exactly once and respects the budget", () => {
    const plan = planBatches(lengths, 200, 4);
    expect(plan.batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const b of plan.batches) {
      expect(b.length).toBeLessThanOrEqual(4);
      expect(b.length * Math.max(...b.map((i) => lengths[i]!))).toBeLessThanOrEqual(200);
    }
    expect(plan.batches[0]).toEqual([1, 3]); // longest first
  });
  it("an input longer than the budget gets its own batch", () => {
    expect(planBatches([500, 2], 100).batches).toEqual([[0], [1]]);
  });
  it("length sorting pads less than fixed batches in input order", () => {
    const sorted = planBatches(lengths, 10_000, 2);
    const fixed = planFixedBatches(lengths, 2);
    expect(sorted.realTokens).toBe(fixed.realTokens);
    expect(paddingShare(sorted)).toBeLessThan(paddingShare(fixed));
    expect(paddingShare({ batches: [], paddedTokens: 0, realTokens: 0 })).toBe(0);
  });
});
