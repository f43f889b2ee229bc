import { existsSync } from "node:fs";
import path from "node:path";
import { db } from "../../db";
import { enqueueJob } from "../../jobs/enqueue";
import { AppError } from "../../lib/app-error";
import { modelLabelText, type ModelLabelParts } from "../../lib/model-label";
import { cancelJob } from "../jobs/jobs";
import { defaultBaseModelDir } from "../models/default-model";
import { writeAudit } from "../workspaces/audit";
import { resolveArtifact } from "../../storage/artifacts";
import { assertPrecisionAvailable, type Precision } from "./precision";
import { listReplicas, refreshDeploymentStatus } from "./replicas";
import type { Tx } from "../../db";

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

/** `label` is stored with a deployment (English); `labelParts` is what the browser words in the user's language. */
const labelled = <T extends object>(model: T, labelParts: ModelLabelParts) => ({ ...model, label: modelLabelText(labelParts), labelParts });

/** What a workspace can deploy: registered base models, run checkpoints, and the default base model. */
export async function deployableModels({ workspaceId }: { workspaceId: string }): Promise<(ModelSource & { ref: ModelRef; labelParts: ModelLabelParts })[]> {
  const [bases, checkpoints] = await Promise.all([
    db.baseModel.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } }),
    db.checkpoint.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 50 }),
  ]);
  const experiments = await db.experiment.findMany({ where: { id: { in: checkpoints.map((c) => c.experimentId).filter((x): x is string => !!x) } }, select: { id: true, name: true } });
  const runName = new Map(experiments.map((e) => [e.id, e.name]));
  const fallback = defaultBaseModelDir();
  return [
    ...bases.map((b) => labelled({ ref: { kind: "base" as const, id: b.id }, modelDir: b.dir }, { kind: "base", name: b.name })),
    // Checkpoint folders are stored relative to ARTIFACTS_DIR; merges with the base carry their weight W.
    ...checkpoints.map((c) => labelled({ ref: { kind: "checkpoint" as const, id: c.id }, modelDir: resolveArtifact(c.dir) }, {
      kind: "checkpoint", run: runName.get(c.experimentId ?? "") ?? null, step: c.step, mergeWeight: c.mergeWeight, best: c.isBest, aliases: c.aliases,
    })),
    ...(fallback && !bases.some((b) => b.dir === fallback) ? [labelled({ ref: { kind: "default" as const }, modelDir: fallback }, { kind: "base", name: path.basename(fallback) })] : []),
  ];
}

export async function resolveModel(workspaceId: string, ref: ModelRef): Promise<ModelSource> {
  const match = (await deployableModels({ workspaceId })).find((m) => m.ref.kind === ref.kind && ("id" in ref ? "id" in m.ref && m.ref.id === ref.id : true));
  if (!match) throw new AppError("NOT_FOUND", "That model is not available in this workspace", "model");
  return { modelDir: match.modelDir, label: match.label };
}

/**
 * The evaluation version of an int8 accuracy check: the one chosen, else the evaluation version of the
 * run that produced the checkpoint; null when there is neither (the cost is then shown as unknown).
 */
export async function resolveEvalVersion(workspaceId: string, ref: ModelRef, chosen: string | null | undefined): Promise<string | null> {
  if (chosen) {
    const version = await db.datasetVersion.findFirst({ where: { id: chosen, workspaceId, dataset: { kind: "EVALUATION" } }, select: { id: true } });
    if (!version) throw new AppError("NOT_FOUND", "That evaluation version is not in this workspace", "evalVersionId");
    return version.id;
  }
  if (ref.kind !== "checkpoint") return null;
  const checkpoint = await db.checkpoint.findFirst({ where: { id: ref.id, workspaceId }, select: { experimentId: true, sourceCheckpointId: true } });
  // A merged checkpoint has no run of its own: it is measured on the run of the checkpoint it was merged from.
  const source = checkpoint && !checkpoint.experimentId && checkpoint.sourceCheckpointId
    ? await db.checkpoint.findFirst({ where: { id: checkpoint.sourceCheckpointId, workspaceId }, select: { experimentId: true } })
    : null;
  const experimentId = checkpoint?.experimentId ?? source?.experimentId;
  if (!experimentId) return null;
  const run = await db.experiment.findFirst({ where: { id: experimentId, workspaceId }, select: { evalVersionId: true } });
  return run?.evalVersionId ?? null;
}

/** One serve job per replica (a fresh row each time), typed by precision: fp16 jobs go to GPU workers only. */
async function enqueueReplicas(tx: Tx, deployment: { id: string; workspaceId: string; replicas: number; quantization: string }) {
  const type = deployment.quantization === "fp16" ? "serve_deployment_gpu" : "serve_deployment";
  let first: string | null = null;
  for (let index = 0; index < deployment.replicas; index++) {
    const job = await enqueueJob({ type, payload: { workspaceId: deployment.workspaceId, deploymentId: deployment.id, replica: index }, workspaceId: deployment.workspaceId, priority: 8 }, tx);
    first ??= job.id;
    const data = { jobId: job.id, status: "PENDING" as const, statusMessage: null, url: null, workerId: null, startedAt: null, healthAt: null };
    await tx.deploymentReplica.upsert({ where: { deploymentId_index: { deploymentId: deployment.id, index } }, create: { deploymentId: deployment.id, index, ...data }, update: data });
  }
  await tx.deploymentReplica.deleteMany({ where: { deploymentId: deployment.id, index: { gte: deployment.replicas } } });
  return first!;
}

export async function createDeployment({ workspaceId, userId, name, source, acceptFeedback, precision = "fp32", replicas = 1, evalVersionId = null }: {
  workspaceId: string; userId: string; name: string; source: ModelSource; acceptFeedback: boolean; precision?: Precision; replicas?: number; evalVersionId?: string | null;
}) {
  assertModelFolder(source.modelDir);
  await assertPrecisionAvailable(precision);
  return db.$transaction(async (tx) => {
    const deployment = await tx.deployment.create({
      data: { workspaceId, name, modelDir: source.modelDir, modelLabel: source.label, acceptFeedback, createdById: userId, quantization: precision, replicas, evalVersionId },
    });
    const jobId = await enqueueReplicas(tx, deployment);
    await writeAudit(tx, { workspaceId, actorId: userId, action: "deployment.created", details: { deploymentId: deployment.id, name, model: source.label } });
    return tx.deployment.update({ where: { id: deployment.id }, data: { jobId } });
  });
}

export async function listDeployments({ workspaceId }: { workspaceId: string }) {
  return db.deployment.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 100 });
}

export async function getDeployment({ workspaceId, deploymentId }: { workspaceId: string; deploymentId: string }) {
  const deployment = await db.deployment.findFirst({ where: { id: deploymentId, workspaceId } });
  if (!deployment) throw new AppError("NOT_FOUND", "Deployment not found", "deploymentId");
  const replicaList = await listReplicas(deployment.id, deployment.quantization as Precision);
  const jobIds = await replicaJobIds(deployment);
  const replicaOf = new Map(jobIds.map((j) => [j.jobId, j.index]));
  const logs = jobIds.length
    ? await db.jobLog.findMany({ where: { jobId: { in: jobIds.map((j) => j.jobId) } }, orderBy: { id: "desc" }, take: 50 * Math.min(jobIds.length, 4) })
    : [];
  // With several replicas each line says which one wrote it.
  const prefix = (jobId: string) => (deployment.replicas > 1 ? `[replica ${replicaOf.get(jobId) ?? "?"}] ` : "");
  return {
    ...deployment, replicaList,
    logs: logs.reverse().map((l) => ({ id: l.id.toString(), level: l.level, message: prefix(l.jobId) + l.message, createdAt: l.createdAt })),
  };
}

/** The current job of every replica (the deployment's own jobId for rows made before replicas existed). */
async function replicaJobIds(deployment: { id: string; jobId: string | null }): Promise<{ index: number; jobId: string }[]> {
  const rows = await db.deploymentReplica.findMany({ where: { deploymentId: deployment.id, jobId: { not: null } }, select: { index: true, jobId: true }, orderBy: { index: "asc" } });
  if (rows.length === 0 && deployment.jobId) return [{ index: 0, jobId: deployment.jobId }];
  return rows.map((r) => ({ index: r.index, jobId: r.jobId! }));
}

/** Undeploy: cancels the serving job; the worker drains in-flight requests and marks it STOPPED. */
export async function undeploy({ workspaceId, deploymentId, userId }: { workspaceId: string; deploymentId: string; userId?: string }) {
  const deployment = await getDeployment({ workspaceId, deploymentId });
  if (!deployment.jobId || deployment.status === "STOPPED" || deployment.status === "FAILED") {
    throw new AppError("CONFLICT", "This deployment is not running", "deploymentId");
  }
  const jobs = await db.job.findMany({ where: { id: { in: (await replicaJobIds(deployment)).map((j) => j.jobId) }, status: { in: ["QUEUED", "RUNNING"] } }, select: { id: true } });
  for (const job of jobs) await cancelJob({ workspaceId, jobId: job.id }).catch(() => undefined);
  // A replica still waiting for a worker stops at once; running ones drain and report STOPPED themselves.
  const cancelled = await db.job.findMany({ where: { id: { in: jobs.map((j) => j.id) }, status: "CANCELLED" }, select: { id: true } });
  await db.deploymentReplica.updateMany({ where: { deploymentId, jobId: { in: cancelled.map((j) => j.id) } }, data: { status: "STOPPED", statusMessage: "undeployed", url: null } });
  await refreshDeploymentStatus(deploymentId);
  if (userId) await writeAudit(db, { workspaceId, actorId: userId, action: "deployment.stopped", details: { deploymentId, name: deployment.name, model: deployment.modelLabel } });
  return { status: "STOPPING" as const };
}

/** Serves another model on the same URL: the running server swaps without failing requests. */
export async function switchModel({ workspaceId, deploymentId, source, userId, action = "deployment.switched" }: {
  workspaceId: string; deploymentId: string; source: ModelSource; userId?: string; action?: "deployment.switched" | "deployment.rolled_back";
}) {
  assertModelFolder(source.modelDir);
  const deployment = await getDeployment({ workspaceId, deploymentId });
  const updated = await db.deployment.update({
    where: { id: deployment.id },
    data: {
      modelDir: source.modelDir, modelLabel: source.label, previousModelDir: deployment.modelDir, previousModelLabel: deployment.modelLabel,
      revision: { increment: 1 },
    },
  });
  if (userId) await writeAudit(db, { workspaceId, actorId: userId, action, details: { deploymentId, name: deployment.name, model: source.label } });
  return updated;
}

/** Roll back: serve the previous model again (one click, same URL, no failed requests). */
export async function rollback({ workspaceId, deploymentId, userId }: { workspaceId: string; deploymentId: string; userId?: string }) {
  const deployment = await getDeployment({ workspaceId, deploymentId });
  if (!deployment.previousModelDir || !deployment.previousModelLabel) throw new AppError("CONFLICT", "There is no previous model to roll back to", "deploymentId");
  return switchModel({ workspaceId, deploymentId, userId, action: "deployment.rolled_back", source: { modelDir: deployment.previousModelDir, label: deployment.previousModelLabel } });
}

/** Starts a stopped or failed deployment again with its current model. */
export async function redeploy({ workspaceId, deploymentId, userId }: { workspaceId: string; deploymentId: string; userId?: string }) {
  const deployment = await getDeployment({ workspaceId, deploymentId });
  if (deployment.status !== "STOPPED" && deployment.status !== "FAILED") throw new AppError("CONFLICT", "This deployment is already running", "deploymentId");
  return db.$transaction(async (tx) => {
    const jobId = await enqueueReplicas(tx, deployment);
    if (userId) await writeAudit(tx, { workspaceId, actorId: userId, action: "deployment.restarted", details: { deploymentId, name: deployment.name, model: deployment.modelLabel } });
    return tx.deployment.update({ where: { id: deploymentId }, data: { jobId, status: "PENDING", statusMessage: null, url: null } });
  });
}
