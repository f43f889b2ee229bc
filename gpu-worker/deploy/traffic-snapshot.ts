import type { Histogram } from "prom-client";
import { PROBE_ROUTES, type CumulativeHistogram, type TrafficSnapshot } from "~/server/lib/traffic/snapshot";
import { recordTrafficSample } from "~/server/services/deployments/traffic";
import type { ServeMetrics } from "../serve/metrics";

/**
 * The traffic counters of one embedding server, read from its own Prometheus registry (the same numbers its
 * /metrics endpoint exports), summed over the API routes — the serving job's /health beat and any scrape of
 * /metrics are left out, so an idle deployment reads as idle.
 */
export async function trafficSnapshot(metrics: ServeMetrics): Promise<TrafficSnapshot> {
  const requests = (await metrics.requests.get()).values.filter((v) => !PROBE_ROUTES.has(String(v.labels.route)));
  const count = (keep: (status: number) => boolean) => requests.filter((v) => keep(Number(v.labels.status))).reduce((n, v) => n + v.value, 0);
  return {
    requests: count(() => true),
    clientErrors: count((s) => s >= 400 && s < 500 && s !== 429),
    serverErrors: count((s) => s >= 500),
    rateLimited: count((s) => s === 429),
    latencySeconds: await cumulative(metrics.latency, (labels) => !PROBE_ROUTES.has(String(labels.route))),
    batchSize: await cumulative(metrics.batchSize),
    batchTokens: await cumulative(metrics.batchTokens),
    cacheHits: (await metrics.cacheHits.get()).values.reduce((n, v) => n + v.value, 0),
    cacheMisses: (await metrics.cacheMisses.get()).values.reduce((n, v) => n + v.value, 0),
  };
}

/** A prom-client histogram summed over the label sets `keep` admits: finite bounds, cumulative counts, sum, count. */
async function cumulative(h: Histogram<string>, keep: (labels: Record<string, string | number | undefined>) => boolean = () => true): Promise<CumulativeHistogram> {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const v of (await h.get()).values) {
    if (!keep(v.labels)) continue;
    const name = (v as { metricName?: string }).metricName ?? "";
    if (name.endsWith("_bucket")) {
      const le = Number(v.labels.le); // "+Inf" → Infinity: that bucket is `count`
      if (Number.isFinite(le)) byLe.set(le, (byLe.get(le) ?? 0) + v.value);
    } else if (name.endsWith("_sum")) sum += v.value;
    else if (name.endsWith("_count")) count += v.value;
  }
  const le = [...byLe.keys()].sort((a, b) => a - b);
  return { le, counts: le.map((b) => byLe.get(b)!), sum, count };
}

/** One traffic sample of a replica's server into the deployment's history (what the traffic charts read). */
export async function recordReplicaTraffic(metrics: ServeMetrics, deploymentId: string, replica: number): Promise<void> {
  await recordTrafficSample({ deploymentId, replica, counters: await trafficSnapshot(metrics) });
}
