import { z } from "zod";

/**
 * What a replica's serving job samples from its server's Prometheus registry (gpu-worker/serve/metrics.ts) every
 * few seconds: counters and histograms cumulative since that server started, as /metrics exports them. Only API
 * traffic is counted — /health, /metrics and /openapi.json are the platform's own probes. Histograms keep
 * Prometheus' shape: finite upper bounds `le` with cumulative counts per bound; the +Inf bucket is `count`
 * (JSON has no Infinity).
 */
const histogram = z.object({ le: z.array(z.number()), counts: z.array(z.number()), sum: z.number(), count: z.number() });
export type CumulativeHistogram = z.infer<typeof histogram>;

export const trafficSnapshot = z.object({
  requests: z.number(),
  clientErrors: z.number(), // 4xx other than 429
  serverErrors: z.number(), // 5xx
  rateLimited: z.number(), // 429 from admission
  latencySeconds: histogram,
  batchSize: histogram,
  batchTokens: histogram, // padded tokens per model batch
  cacheHits: z.number(),
  cacheMisses: z.number(),
});
export type TrafficSnapshot = z.infer<typeof trafficSnapshot>;

/** Routes that are not user traffic: the serving job's own health beat and scrapes. */
export const PROBE_ROUTES = new Set(["/health", "/metrics", "/openapi.json"]);
