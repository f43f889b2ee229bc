import { db } from "../../db";

/** Upper bounds of the latency buckets in ms; the last count is everything slower. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const FLUSH_EVERY_MS = 2000;

interface Counter { splitId: string; variant: string; windowStart: Date; requests: number; errors: number; latencySumMs: number; buckets: number[] }

/**
 * Per-variant counters of the traffic-split router, kept in memory and added to one row per split,
 * variant and minute every 2 s (an atomic INSERT … ON CONFLICT increment, so several web processes
 * can count the same split). A crash loses at most the last 2 s of counts.
 */
const pending = new Map<string, Counter>();
let timer: NodeJS.Timeout | null = null;

export function recordSplitRequest(splitId: string, variant: "A" | "B", latencyMs: number, error: boolean): void {
  const windowStart = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const key = `${splitId}|${variant}|${windowStart.getTime()}`;
  let c = pending.get(key);
  if (!c) {
    c = { splitId, variant, windowStart, requests: 0, errors: 0, latencySumMs: 0, buckets: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0) };
    pending.set(key, c);
  }
  c.requests++;
  if (error) c.errors++;
  c.latencySumMs += latencyMs;
  const b = LATENCY_BUCKETS_MS.findIndex((ms) => latencyMs <= ms);
  c.buckets[b === -1 ? LATENCY_BUCKETS_MS.length : b]!++;
  timer ??= setInterval(() => void flushSplitStats().catch(() => undefined), FLUSH_EVERY_MS).unref();
}

export async function flushSplitStats(): Promise<void> {
  const batch = [...pending.values()];
  pending.clear();
  for (const c of batch) {
    await db.$executeRaw`
      INSERT INTO "TrafficSplitStat" ("splitId", "variant", "windowStart", "requests", "errors", "latencySumMs", "latencyBuckets")
      VALUES (${c.splitId}, ${c.variant}, ${c.windowStart}, ${c.requests}, ${c.errors}, ${c.latencySumMs}, ${c.buckets}::int[])
      ON CONFLICT ("splitId", "variant", "windowStart") DO UPDATE SET
        "requests" = "TrafficSplitStat"."requests" + EXCLUDED."requests",
        "errors" = "TrafficSplitStat"."errors" + EXCLUDED."errors",
        "latencySumMs" = "TrafficSplitStat"."latencySumMs" + EXCLUDED."latencySumMs",
        "latencyBuckets" = ARRAY(
          SELECT COALESCE(a, 0) + COALESCE(b, 0)
          FROM unnest("TrafficSplitStat"."latencyBuckets", EXCLUDED."latencyBuckets") WITH ORDINALITY AS u(a, b, i) ORDER BY i)`;
  }
}

/** A percentile from bucket counts: the upper bound of the bucket that holds it (null past the last bound). */
function percentile(buckets: number[], total: number, q: number): number | null {
  let seen = 0;
  for (const [i, n] of buckets.entries()) {
    seen += n;
    if (seen >= q * total) return LATENCY_BUCKETS_MS[i] ?? null;
  }
  return null;
}

export interface VariantStats { variant: "A" | "B"; requests: number; errors: number; meanLatencyMs: number | null; p50Ms: number | null; p95Ms: number | null }

export async function readSplitStats(splitId: string): Promise<VariantStats[]> {
  const rows = await db.trafficSplitStat.findMany({ where: { splitId } });
  return (["A", "B"] as const).map((variant) => {
    const mine = rows.filter((r) => r.variant === variant);
    const requests = mine.reduce((s, r) => s + r.requests, 0);
    const buckets = new Array(LATENCY_BUCKETS_MS.length + 1).fill(0) as number[];
    for (const r of mine) r.latencyBuckets.forEach((n, i) => (buckets[i] = (buckets[i] ?? 0) + n));
    return {
      variant, requests, errors: mine.reduce((s, r) => s + r.errors, 0),
      meanLatencyMs: requests ? mine.reduce((s, r) => s + r.latencySumMs, 0) / requests : null,
      p50Ms: requests ? percentile(buckets, requests, 0.5) : null,
      p95Ms: requests ? percentile(buckets, requests, 0.95) : null,
    };
  });
}
