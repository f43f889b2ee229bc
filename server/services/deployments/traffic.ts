import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { trafficSeries, type TrafficSeries } from "../../lib/traffic/series";
import { trafficSnapshot, type TrafficSnapshot } from "../../lib/traffic/snapshot";

/** How long samples are kept (the page shows at most this much), and the longest window a caller may ask for. */
export const TRAFFIC_RETENTION_MS = 60 * 60_000;

/**
 * Written by a replica's serving job every few seconds: its server's cumulative counters (server/lib/traffic/
 * snapshot.ts). Samples older than the retention are pruned by the same writer, so the table stays small
 * without a separate sweeper.
 */
export async function recordTrafficSample({ deploymentId, replica, counters, at = new Date() }: { deploymentId: string; replica: number; counters: TrafficSnapshot; at?: Date }) {
  await db.deploymentTrafficSample.create({ data: { deploymentId, replica, at, counters } });
  await db.deploymentTrafficSample.deleteMany({ where: { deploymentId, replica, at: { lt: new Date(at.getTime() - TRAFFIC_RETENTION_MS) } } });
}

export interface ReplicaTraffic { replica: number; series: TrafficSeries }

/**
 * The deployment's traffic over the last `windowSeconds`, per replica (rates, latency percentiles, batch sizes,
 * cache hit rate; server/lib/traffic/series.ts). Scoped to the workspace: another workspace's deployment id is
 * "not found". A sample written with an unexpected shape (an older worker) is skipped, not trusted.
 */
export async function deploymentTraffic({ workspaceId, deploymentId, windowSeconds }: { workspaceId: string; deploymentId: string; windowSeconds: number }): Promise<{ replicas: ReplicaTraffic[] }> {
  const deployment = await db.deployment.findFirst({ where: { id: deploymentId, workspaceId }, select: { id: true } });
  if (!deployment) throw new AppError("NOT_FOUND", "Deployment not found", "deploymentId");
  const since = new Date(Date.now() - Math.min(windowSeconds * 1000, TRAFFIC_RETENTION_MS));
  const rows = await db.deploymentTrafficSample.findMany({ where: { deploymentId: deployment.id, at: { gte: since } }, orderBy: { at: "asc" } });
  const byReplica = new Map<number, Array<{ at: Date; counters: TrafficSnapshot }>>();
  for (const row of rows) {
    const counters = trafficSnapshot.safeParse(row.counters);
    if (!counters.success) continue;
    const list = byReplica.get(row.replica) ?? [];
    list.push({ at: row.at, counters: counters.data });
    byReplica.set(row.replica, list);
  }
  return { replicas: [...byReplica.entries()].sort((a, b) => a[0] - b[0]).map(([replica, samples]) => ({ replica, series: trafficSeries(samples) })) };
}
