import { describe, expect, it } from "vitest";
import { createConcurrencyCap, createFailedKeyLimiter } from "./proxy-admission";
import { TtlCache } from "./ttl-cache";

/** The proxy's in-memory limits on a clock the test moves (no waiting). */
describe("proxy admission limits", () => {
  it("failed-key budget: refuses from the limit-th failure until the window ends, per address", () => {
    let t = 1_000_000;
    const limiter = createFailedKeyLimiter({ limit: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 2; i++) limiter.recordFailure("a");
    expect(limiter.retryAfterSeconds("a")).toBe(0);
    limiter.recordFailure("a");
    expect(limiter.retryAfterSeconds("a")).toBe(60);
    expect(limiter.retryAfterSeconds("b")).toBe(0);
    t += 45_500;
    expect(limiter.retryAfterSeconds("a")).toBe(15);
    t += 14_500;
    expect(limiter.retryAfterSeconds("a")).toBe(0);
    limiter.recordFailure("a");
    expect(limiter.retryAfterSeconds("a")).toBe(0);
  });

  it("concurrency cap: refuses past max, and a release (even called twice) frees exactly one slot", () => {
    const cap = createConcurrencyCap(2);
    const a = cap.tryEnter()!;
    const b = cap.tryEnter()!;
    expect(cap.tryEnter()).toBeNull();
    a();
    a();
    expect(cap.inFlight()).toBe(1);
    expect(cap.tryEnter()).not.toBeNull();
    expect(cap.tryEnter()).toBeNull();
    b();
  });

  it("TtlCache: cached misses count as hits, entries expire, and the oldest go first past the size cap", () => {
    let t = 0;
    const cache = new TtlCache<string, string | null>(1000, 2, () => t);
    cache.set("missing", null);
    expect(cache.get("missing")).toEqual({ value: null });
    cache.set("b", "B");
    cache.set("c", "C");
    expect(cache.get("missing")).toBeUndefined();
    expect(cache.get("c")).toEqual({ value: "C" });
    t += 1000;
    expect(cache.get("b")).toBeUndefined();
  });
});
