import { db } from "../../db";
import type { DeploymentStatus } from "../../generated/prisma/enums";
import { chooseServingDevice, servingCapabilitiesOf, type ServingPrecision } from "../../lib/serving-device";

/** A replica whose serving job has not written a health check for this long is out of rotation. */
export const HEALTH_STALE_MS = 10_000;

export function isHealthy(replica: { status: DeploymentStatus; healthAt: Date | null }, now = Date.now()): boolean {
  return replica.status === "LIVE" && !!replica.healthAt && now - replica.healthAt.getTime() <= HEALTH_STALE_MS;
}

/** Written by the replica's serving job (worker side). */
export async function updateReplica(
  deploymentId: string, index: number,
  data: { status?: DeploymentStatus; statusMessage?: string | null; url?: string | null; workerId?: string | null; jobId?: string | null; startedAt?: Date | null; healthAt?: Date | null },
) {
  await db.deploymentReplica.upsert({
    where: { deploymentId_index: { deploymentId, index } },
    create: { deploymentId, index, ...data },
    update: data,
  });
}

/**
 * The deployment's status from its replicas: LIVE while at least one replica is live (the URL is
 * that replica's), otherwise the most advanced state among them. Called after every replica change.
 */
export async function refreshDeploymentStatus(deploymentId: string): Promise<void> {
  const replicas = await db.deploymentReplica.findMany({ where: { deploymentId }, orderBy: { index: "asc" } });
  const has = (s: DeploymentStatus) => replicas.some((r) => r.status === s);
  const status: DeploymentStatus =
    has("LIVE") ? "LIVE" : has("AWAITING_APPROVAL") ? "AWAITING_APPROVAL" : has("STARTING") ? "STARTING" : has("PENDING") ? "PENDING"
    : has("FAILED") ? "FAILED" : "STOPPED";
  const primary = replicas.find((r) => r.status === "LIVE") ?? replicas.find((r) => r.status === "AWAITING_APPROVAL") ?? null;
  const failed = replicas.find((r) => r.status === "FAILED");
  const statusMessage = status === "FAILED" || status === "STOPPED" ? (failed?.statusMessage ?? replicas[0]?.statusMessage ?? null)
    : (primary?.statusMessage ?? replicas.find((r) => r.status === status)?.statusMessage ?? null);
  await db.deployment.update({ where: { id: deploymentId }, data: { status, statusMessage, url: primary?.url ?? null } });
}

/** The replicas of a deployment as the deployment page lists them. */
/** The replicas, each with where its model runs (server/lib/serving-device.ts, from its worker's capabilities). */
export async function listReplicas(deploymentId: string, precision: ServingPrecision = "fp32") {
  const rows = await db.deploymentReplica.findMany({ where: { deploymentId }, orderBy: { index: "asc" } });
  const workers = await db.worker.findMany({ where: { id: { in: rows.map((r) => r.workerId).filter((w): w is string => !!w) } }, select: { id: true, host: true, capabilities: true } });
  const host = new Map(workers.map((w) => [w.id, w.host]));
  const caps = new Map(workers.map((w) => [w.id, w.capabilities]));
  const servingOn = (workerId: string | null) => {
    if (!workerId || !caps.has(workerId)) return null;
    const d = chooseServingDevice(precision, servingCapabilitiesOf(caps.get(workerId)));
    return { device: d.device, provider: d.provider, precision: d.precision, dtype: d.dtype ?? null };
  };
  const now = Date.now();
  return rows.map((r) => ({
    index: r.index, status: r.status, statusMessage: r.statusMessage, url: r.url, workerId: r.workerId,
    workerHost: r.workerId ? (host.get(r.workerId) ?? null) : null, startedAt: r.startedAt, healthAt: r.healthAt, healthy: isHealthy(r, now),
    serving: servingOn(r.workerId),
  }));
}
