import { existsSync } from "node:fs";
import path from "node:path";
import { db } from "../../db";
import { enqueueJob } from "../../jobs/enqueue";
import { AppError } from "../../lib/app-error";
import { cancelJob } from "../jobs/jobs";
import { defaultBaseModelDir } from "../models/default-model";

/** What can be deployed: a model folder in the Hugging Face layout (with or without ONNX yet). */
export interface ModelSource {
  modelDir: string;
  label: string;
}

function assertModelFolder(dir: string) {
  if (!existsSync(path.join(dir, "config.json")) || !existsSync(path.join(dir, "tokenizer.json"))) {
    throw new AppError("BAD_REQUEST", `${dir} is not a model folder (config.json and tokenizer.json are required)`, "modelDir");
  }
}

/** A model chosen in the browser: by registry id, never by a file-system path. */
export type ModelRef = { kind: "default" } | { kind: "base"; id: string } | { kind: "checkpoint"; id: string };

/** What a workspace can deploy: registered base models, run checkpoints, and the default base model. */
export async function deployableModels({ workspaceId }: { workspaceId: string }): Promise<(ModelSource & { ref: ModelRef })[]> {
  const [bases, checkpoints] = await Promise.all([
    db.baseModel.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } }),
    db.checkpoint.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 50 }),
  ]);
  const experiments = await db.experiment.findMany({ where: { id: { in: checkpoints.map((c) => c.experimentId).filter((x): x is string => !!x) } }, select: { id: true, name: true } });
  const runName = new Map(experiments.map((e) => [e.id, e.name]));
  const fallback = defaultBaseModelDir();
  return [
    ...bases.map((b) => ({ ref: { kind: "base" as const, id: b.id }, modelDir: b.dir, label: `base: ${b.name}` })),
    ...checkpoints.map((c) => ({
      ref: { kind: "checkpoint" as const, id: c.id }, modelDir: c.dir,
      label: `${runName.get(c.experimentId ?? "") ?? "checkpoint"} · step ${c.step}${c.isBest ? " (best)" : ""}${c.aliases.length ? ` [${c.aliases.join(", ")}]` : ""}`,
    })),
    ...(fallback && !bases.some((b) => b.dir === fallback) ? [{ ref: { kind: "default" as const }, modelDir: fallback, label: `base: ${path.basename(fallback)}` }] : []),
  ];
}

export async function resolveModel(workspaceId: string, ref: ModelRef): Promise<ModelSource> {
  const match = (await deployableModels({ workspaceId })).find((m) => m.ref.kind === ref.kind && ("id" in ref ? "id" in m.ref && m.ref.id === ref.id : true));
  if (!match) throw new AppError("NOT_FOUND", "That model is not available in this workspace", "model");
  return { modelDir: match.modelDir, label: match.label };
}

export async function createDeployment({ workspaceId, userId, name, source, acceptFeedback }: { workspaceId: string; userId: string; name: string; source: ModelSource; acceptFeedback: boolean }) {
  assertModelFolder(source.modelDir);
  return db.$transaction(async (tx) => {
    const deployment = await tx.deployment.create({
      data: { workspaceId, name, modelDir: source.modelDir, modelLabel: source.label, acceptFeedback, createdById: userId },
    });
    const job = await enqueueJob({ type: "serve_deployment", payload: { workspaceId, deploymentId: deployment.id }, workspaceId, priority: 8 }, tx);
    return tx.deployment.update({ where: { id: deployment.id }, data: { jobId: job.id } });
  });
}

export async function listDeployments({ workspaceId }: { workspaceId: string }) {
  return db.deployment.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 100 });
}

export async function getDeployment({ workspaceId, deploymentId }: { workspaceId: string; deploymentId: string }) {
  const deployment = await db.deployment.findFirst({ where: { id: deploymentId, workspaceId } });
  if (!deployment) throw new AppError("NOT_FOUND", "Deployment not found", "deploymentId");
  const logs = deployment.jobId
    ? await db.jobLog.findMany({ where: { jobId: deployment.jobId }, orderBy: { id: "desc" }, take: 50 })
    : [];
  return { ...deployment, logs: logs.reverse().map((l) => ({ id: l.id.toString(), level: l.level, message: l.message, createdAt: l.createdAt })) };
}

/** Undeploy: cancels the serving job; the worker drains in-flight requests and marks it STOPPED. */
export async function undeploy({ workspaceId, deploymentId }: { workspaceId: string; deploymentId: string }) {
  const deployment = await getDeployment({ workspaceId, deploymentId });
  if (!deployment.jobId || deployment.status === "STOPPED" || deployment.status === "FAILED") {
    throw new AppError("CONFLICT", "This deployment is not running", "deploymentId");
  }
  await cancelJob({ workspaceId, jobId: deployment.jobId });
  return { status: "STOPPING" as const };
}

/** Serves another model on the same URL: the running server swaps without failing requests. */
export async function switchModel({ workspaceId, deploymentId, source }: { workspaceId: string; deploymentId: string; source: ModelSource }) {
  assertModelFolder(source.modelDir);
  const deployment = await getDeployment({ workspaceId, deploymentId });
  return db.deployment.update({
    where: { id: deployment.id },
    data: {
      modelDir: source.modelDir, modelLabel: source.label, previousModelDir: deployment.modelDir, previousModelLabel: deployment.modelLabel,
      revision: { increment: 1 },
    },
  });
}

/** Roll back: serve the previous model again (one click, same URL, no failed requests). */
export async function rollback({ workspaceId, deploymentId }: { workspaceId: string; deploymentId: string }) {
  const deployment = await getDeployment({ workspaceId, deploymentId });
  if (!deployment.previousModelDir || !deployment.previousModelLabel) throw new AppError("CONFLICT", "There is no previous model to roll back to", "deploymentId");
  return switchModel({ workspaceId, deploymentId, source: { modelDir: deployment.previousModelDir, label: deployment.previousModelLabel } });
}

/** Starts a stopped or failed deployment again with its current model. */
export async function redeploy({ workspaceId, deploymentId }: { workspaceId: string; deploymentId: string }) {
  const deployment = await getDeployment({ workspaceId, deploymentId });
  if (deployment.status !== "STOPPED" && deployment.status !== "FAILED") throw new AppError("CONFLICT", "This deployment is already running", "deploymentId");
  return db.$transaction(async (tx) => {
    const job = await enqueueJob({ type: "serve_deployment", payload: { workspaceId, deploymentId }, workspaceId, priority: 8 }, tx);
    return tx.deployment.update({ where: { id: deploymentId }, data: { jobId: job.id, status: "PENDING", statusMessage: null, url: null } });
  });
}
