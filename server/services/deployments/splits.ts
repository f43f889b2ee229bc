import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { readSplitStats } from "./split-stats";

/**
 * Experiment endpoints (A/B traffic splits): a URL of the web app that forwards each request to deployment
 * A or B of the same workspace, `weightB` percent of users to B (server/http/deployment-proxy.ts).
 */
async function assertDeployments(workspaceId: string, ids: string[]) {
  const count = await db.deployment.count({ where: { workspaceId, id: { in: ids } } });
  if (count !== new Set(ids).size) throw new AppError("NOT_FOUND", "A deployment of this split is not in the workspace", "deploymentBId");
}

export async function createSplit({ workspaceId, userId, name, deploymentAId, deploymentBId, weightB }: { workspaceId: string; userId: string; name: string; deploymentAId: string; deploymentBId: string; weightB: number }) {
  if (deploymentAId === deploymentBId) throw new AppError("BAD_REQUEST", "Choose two different deployments", "deploymentBId");
  await assertDeployments(workspaceId, [deploymentAId, deploymentBId]);
  return db.trafficSplit.create({ data: { workspaceId, name, deploymentAId, deploymentBId, weightB, createdById: userId } });
}

export async function listSplits({ workspaceId }: { workspaceId: string }) {
  return db.trafficSplit.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 100 });
}

export async function getSplit({ workspaceId, splitId }: { workspaceId: string; splitId: string }) {
  const split = await db.trafficSplit.findFirst({ where: { id: splitId, workspaceId } });
  if (!split) throw new AppError("NOT_FOUND", "Traffic split not found", "splitId");
  const deployments = await db.deployment.findMany({ where: { id: { in: [split.deploymentAId, split.deploymentBId] } }, select: { id: true, name: true, status: true, modelLabel: true, quantization: true } });
  const byId = new Map(deployments.map((d) => [d.id, d]));
  const stats = await readSplitStats(split.id);
  return {
    ...split,
    variants: stats.map((s) => ({ ...s, deployment: byId.get(s.variant === "A" ? split.deploymentAId : split.deploymentBId) ?? null, weight: s.variant === "A" ? 100 - split.weightB : split.weightB })),
  };
}

export async function setSplitWeight({ workspaceId, splitId, weightB }: { workspaceId: string; splitId: string; weightB: number }) {
  const { count } = await db.trafficSplit.updateMany({ where: { id: splitId, workspaceId }, data: { weightB } });
  if (count === 0) throw new AppError("NOT_FOUND", "Traffic split not found", "splitId");
  return { weightB };
}

export async function deleteSplit({ workspaceId, splitId }: { workspaceId: string; splitId: string }) {
  const { count } = await db.trafficSplit.deleteMany({ where: { id: splitId, workspaceId } });
  if (count === 0) throw new AppError("NOT_FOUND", "Traffic split not found", "splitId");
  await db.trafficSplitStat.deleteMany({ where: { splitId } });
}
