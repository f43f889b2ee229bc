import { describe, expect, it } from "vitest";
import { LruCache } from "./lru";
import { CostModel, planPaddingAware } from "./micro-batcher";

describe("planPaddingAware", () => {
  it("splits a long input from short ones when padding costs more than a call", () => {
    expect(planPaddingAware([10, 128, 10, 12, 10], 16384, 256, 16)).toEqual([[1], [3, 0, 2, 4]]);
  });
  it("keeps one batch when the per-call overhead dominates", () => {
    expect(planPaddingAware([10, 128, 10, 12, 10], 16384, 256, 10_000)).toEqual([[1, 3, 0, 2, 4]]);
  });
  it("respects the token budget and the batch size, covering every input once", () => {
    const lengths = Array.from({ length: 300 }, (_, i) => 3 + ((i * 37) % 120));
    const plan = planPaddingAware(lengths, 2048, 64, 1e9); // huge overhead: only the limits split
    expect(plan.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const b of plan) {
      expect(b.length).toBeLessThanOrEqual(64);
      expect(b.length * Math.max(...b.map((i) => lengths[i]!))).toBeLessThanOrEqual(2048);
    }
  });
  it("gives an input longer than the budget its own batch", () => {
    expect(planPaddingAware([5000, 3], 1024, 256, 0)).toEqual([[0], [1]]);
  });
});

describe("LruCache", () => {
  it("evicts the least recently used entry by count and by bytes", () => {
    const c = new LruCache<number>(2, 100);
    c.set("a", 1, 10);
    c.set("b", 2, 10);
    expect(c.get("a")).toBe(1); // a is now the most recent
    c.set("c", 3, 10);
    expect(c.get("b")).toBeUndefined();
    c.set("d", 4, 95); // over the byte bound with a: a goes
    expect(c.get("a")).toBeUndefined();
    expect(c.get("d")).toBe(4);
    c.set("huge", 5, 101); // larger than the whole cache: not stored
    expect(c.get("huge")).toBeUndefined();
    expect(c.totalBytes).toBeLessThanOrEqual(100);
  });
});

describe("CostModel", () => {
  it("recovers the fixed cost of a call in token-equivalents", () => {
    const m = new CostModel(256);
    expect(m.overheadTokens()).toBe(256);
    for (let i = 0; i < 50; i++) {
      const tokens = 100 + ((i * 53) % 900);
      m.observe(tokens, 0.004 + tokens * 1e-5); // 4 ms + 10 µs per token → 400 tokens
    }
    expect(m.overheadTokens()).toBeCloseTo(400, 0);
  });
});
