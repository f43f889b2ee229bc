import type { CumulativeHistogram, TrafficSnapshot } from "./snapshot";

/**
 * A replica's traffic over time from its cumulative samples: each pair of consecutive samples is one interval,
 * and each series point is that interval's rate or distribution, placed at the later sample's time (seconds
 * since the epoch). A counter that went down means the server restarted (a model switch, a new serve job): that
 * interval is skipped rather than read as negative traffic. Percentiles come from the interval's histogram
 * difference with Prometheus' histogram_quantile rule (linear within the bucket that holds the rank).
 */
export interface TrafficSample { at: Date; counters: TrafficSnapshot }
export type Point = [number, number];
export const TRAFFIC_SERIES = ["requestsPerS", "p50LatencyMs", "p95LatencyMs", "clientErrorsPerS", "serverErrorsPerS", "rateLimitedPerS", "meanBatchSize", "meanTokensPerBatch", "cacheHitRate"] as const;
export type TrafficSeriesName = (typeof TRAFFIC_SERIES)[number];
export type TrafficSeries = Record<TrafficSeriesName, Point[]>;

/** The q-quantile of a histogram's observations (null without any), as Prometheus' histogram_quantile. */
export function histogramQuantile(h: CumulativeHistogram, q: number): number | null {
  if (h.count <= 0) return null;
  const rank = q * h.count;
  for (let i = 0; i < h.le.length; i++) {
    if (h.counts[i]! >= rank) {
      const lower = i === 0 ? 0 : h.le[i - 1]!;
      const below = i === 0 ? 0 : h.counts[i - 1]!;
      const inBucket = h.counts[i]! - below;
      return inBucket > 0 ? lower + (h.le[i]! - lower) * ((rank - below) / inBucket) : h.le[i]!;
    }
  }
  // The rank lies in the implicit +Inf bucket: Prometheus answers the last finite bound (nothing says how much slower).
  return h.le.at(-1) ?? null;
}

/** later − earlier, bucket by bucket (null when the bounds differ or any count went down: a restart). */
export function histogramDelta(later: CumulativeHistogram, earlier: CumulativeHistogram): CumulativeHistogram | null {
  // A labelled histogram exports no buckets before its first observation: an empty earlier one is all zeros.
  if (earlier.count === 0 && earlier.le.length === 0) return later;
  if (later.le.length !== earlier.le.length || later.le.some((b, i) => b !== earlier.le[i])) return null;
  const counts = later.counts.map((c, i) => c - earlier.counts[i]!);
  if (counts.some((c) => c < 0) || later.count < earlier.count) return null;
  return { le: later.le, counts, sum: later.sum - earlier.sum, count: later.count - earlier.count };
}

const COUNTERS = ["requests", "clientErrors", "serverErrors", "rateLimited", "cacheHits", "cacheMisses"] as const;

export function trafficSeries(samples: TrafficSample[]): TrafficSeries {
  const out = Object.fromEntries(TRAFFIC_SERIES.map((n) => [n, [] as Point[]])) as TrafficSeries;
  const sorted = [...samples].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!.counters, sorted[i]!.counters];
    const dt = (sorted[i]!.at.getTime() - sorted[i - 1]!.at.getTime()) / 1000;
    if (dt <= 0) continue;
    const d = Object.fromEntries(COUNTERS.map((k) => [k, b[k] - a[k]])) as Record<(typeof COUNTERS)[number], number>;
    const latency = histogramDelta(b.latencySeconds, a.latencySeconds);
    const size = histogramDelta(b.batchSize, a.batchSize);
    const tokens = histogramDelta(b.batchTokens, a.batchTokens);
    if (Object.values(d).some((v) => v < 0) || !latency || !size || !tokens) continue; // restarted in between
    const t = sorted[i]!.at.getTime() / 1000;
    out.requestsPerS.push([t, d.requests / dt]);
    out.clientErrorsPerS.push([t, d.clientErrors / dt]);
    out.serverErrorsPerS.push([t, d.serverErrors / dt]);
    out.rateLimitedPerS.push([t, d.rateLimited / dt]);
    // Distributions only where the interval had observations: an idle interval has no latency, not a 0 ms one.
    const p50 = histogramQuantile(latency, 0.5);
    const p95 = histogramQuantile(latency, 0.95);
    if (p50 != null) out.p50LatencyMs.push([t, p50 * 1000]);
    if (p95 != null) out.p95LatencyMs.push([t, p95 * 1000]);
    if (size.count > 0) out.meanBatchSize.push([t, size.sum / size.count]);
    if (tokens.count > 0) out.meanTokensPerBatch.push([t, tokens.sum / tokens.count]);
    if (d.cacheHits + d.cacheMisses > 0) out.cacheHitRate.push([t, d.cacheHits / (d.cacheHits + d.cacheMisses)]);
  }
  return out;
}
