import { describe, expect, it } from "vitest";
import { histogramDelta, histogramQuantile, trafficSeries, type TrafficSample } from "./series";
import type { CumulativeHistogram, TrafficSnapshot } from "./snapshot";

const LE = [0.01, 0.1, 1];
const hist = (counts: number[], count: number, sum: number): CumulativeHistogram => ({ le: LE, counts, sum, count });
const EMPTY = { le: [], counts: [], sum: 0, count: 0 };
const snap = (over: Partial<TrafficSnapshot>): TrafficSnapshot => ({
  requests: 0, clientErrors: 0, serverErrors: 0, rateLimited: 0, latencySeconds: EMPTY, batchSize: hist([0, 0, 0], 0, 0), batchTokens: hist([0, 0, 0], 0, 0),
  cacheHits: 0, cacheMisses: 0, ...over,
});
const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);

describe("histogram quantiles (Prometheus histogram_quantile)", () => {
  it("interpolates linearly inside the bucket that holds the rank", () => {
    // 10 observations: 4 ≤ 10 ms, 6 more ≤ 100 ms
    const h = hist([4, 10, 10], 10, 0.5);
    expect(histogramQuantile(h, 0.5)!).toBeCloseTo(0.01 + 0.09 * (1 / 6));
    expect(histogramQuantile(h, 0.2)!).toBeCloseTo(0.005);
    expect(histogramQuantile(h, 0.95)!).toBeCloseTo(0.01 + 0.09 * (5.5 / 6));
  });

  it("answers the last finite bound when the rank lies in +Inf, and null without observations", () => {
    expect(histogramQuantile(hist([0, 0, 1], 5, 20), 0.95)).toBe(1);
    expect(histogramQuantile(hist([0, 0, 0], 0, 0), 0.5)).toBeNull();
  });

  it("differences bucket by bucket, and refuses a restart (a count that went down)", () => {
    expect(histogramDelta(hist([3, 5, 6], 6, 1), hist([1, 2, 2], 2, 0.25))).toEqual(hist([2, 3, 4], 4, 0.75));
    expect(histogramDelta(hist([1, 1, 1], 1, 0.1), hist([3, 5, 6], 6, 1))).toBeNull();
    expect(histogramDelta(hist([1, 1, 1], 1, 0.1), EMPTY)).toEqual(hist([1, 1, 1], 1, 0.1));
  });
});

describe("traffic series from cumulative samples", () => {
  const samples: TrafficSample[] = [
    { at: at(0), counters: snap({}) },
    // 2 s later: 10 requests (2 of them 429, 1 a 400, 1 a 500), 8 latency observations, 3 batches of 8 inputs / 96 tokens
    { at: at(2), counters: snap({ requests: 10, rateLimited: 2, clientErrors: 1, serverErrors: 1, latencySeconds: hist([4, 8, 8], 8, 0.3), batchSize: hist([0, 0, 3], 3, 8), batchTokens: hist([0, 0, 3], 3, 96), cacheHits: 3, cacheMisses: 9 }) },
    // idle for 4 s
    { at: at(6), counters: snap({ requests: 10, rateLimited: 2, clientErrors: 1, serverErrors: 1, latencySeconds: hist([4, 8, 8], 8, 0.3), batchSize: hist([0, 0, 3], 3, 8), batchTokens: hist([0, 0, 3], 3, 96), cacheHits: 3, cacheMisses: 9 }) },
  ];

  it("turns counter differences into per-second rates at the later sample's time", () => {
    const s = trafficSeries(samples);
    const t2 = at(2).getTime() / 1000;
    const t6 = at(6).getTime() / 1000;
    expect(s.requestsPerS).toEqual([[t2, 5], [t6, 0]]);
    expect(s.rateLimitedPerS).toEqual([[t2, 1], [t6, 0]]);
    expect(s.clientErrorsPerS).toEqual([[t2, 0.5], [t6, 0]]);
    expect(s.serverErrorsPerS).toEqual([[t2, 0.5], [t6, 0]]);
  });

  it("gives latency percentiles, batch means and the cache hit rate only for intervals that had some", () => {
    const s = trafficSeries([...samples].reverse()); // order of the rows does not matter
    expect(s.p50LatencyMs.map((p) => p[1])).toEqual([10]);
    expect(s.p95LatencyMs[0]![1]).toBeCloseTo(10 + 90 * (3.6 / 4));
    expect(s.meanBatchSize.map((p) => p[1])).toEqual([8 / 3]);
    expect(s.meanTokensPerBatch.map((p) => p[1])).toEqual([32]);
    expect(s.cacheHitRate.map((p) => p[1])).toEqual([0.25]);
  });

  it("skips the interval across a server restart instead of plotting negative traffic", () => {
    const restarted = [...samples, { at: at(8), counters: snap({ requests: 1 }) }, { at: at(10), counters: snap({ requests: 5 }) }];
    const s = trafficSeries(restarted);
    expect(s.requestsPerS.map((p) => p[1])).toEqual([5, 0, 2]);
  });
});
