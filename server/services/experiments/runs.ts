import { randomBytes } from "node:crypto";
import { db, type DbOrTx } from "../../db";
import { AppError } from "../../lib/app-error";
import { enqueueJob } from "../../jobs/enqueue";
import { cancelJob } from "../jobs/jobs";
import { writeAudit } from "../workspaces/audit";
import { serializeBaseModel } from "../models/registry";
import { runMerges } from "./merges";
import { resolveConfig, trainConfigSchema, type PresetName, type TrainConfigInput } from "./schema";
import { applyCombo, comboLabel, expandGrid, issueMessage, SweepError, validateGrid, type SweepGrid } from "./sweep";

/**
 * Fine-tuning runs: create (from a preset + overrides), clone, sweep, cancel, resume, read.
 * A run's folder is `experiments/<id>` under ARTIFACTS_DIR; the train job resumes from it.
 */
export interface NewRun {
  workspaceId: string;
  userId: string;
  name: string;
  baseModelId: string;
  trainVersionId: string;
  evalVersionId?: string | null;
  /** Forgetting guard: a general-domain evaluation version scored beside `evalVersionId`. */
  generalEvalVersionId?: string | null;
  preset: PresetName;
  config?: Partial<TrainConfigInput>;
  bestMetric?: string;
  groupId?: string | null;
  clonedFromId?: string | null;
}

const newId = () => `run${Date.now().toString(36)}${randomBytes(5).toString("hex")}`;

async function checkInputs(tx: DbOrTx, r: NewRun) {
  const base = await tx.baseModel.findFirst({ where: { id: r.baseModelId, workspaceId: r.workspaceId }, select: { id: true } });
  if (!base) throw new AppError("BAD_REQUEST", "Pick a registered base model.", "baseModelId");
  const train = await tx.datasetVersion.findFirst({ where: { id: r.trainVersionId, workspaceId: r.workspaceId }, include: { dataset: { select: { kind: true } } } });
  if (!train || (train.dataset.kind !== "TRAINING" && train.dataset.kind !== "RAG_LOG"))
    throw new AppError("BAD_REQUEST", "Pick a version of a training dataset.", "trainVersionId");
  if (r.evalVersionId) {
    const ev = await tx.datasetVersion.findFirst({ where: { id: r.evalVersionId, workspaceId: r.workspaceId }, include: { dataset: { select: { kind: true } } } });
    if (!ev || ev.dataset.kind !== "EVALUATION") throw new AppError("BAD_REQUEST", "Pick a version of an evaluation dataset.", "evalVersionId");
  }
  if (r.generalEvalVersionId) {
    if (r.generalEvalVersionId === r.evalVersionId) throw new AppError("BAD_REQUEST", "The general-domain set must differ from the domain evaluation set.", "generalEvalVersionId");
    const gv = await tx.datasetVersion.findFirst({ where: { id: r.generalEvalVersionId, workspaceId: r.workspaceId }, include: { dataset: { select: { kind: true } } } });
    if (!gv || gv.dataset.kind !== "EVALUATION") throw new AppError("BAD_REQUEST", "Pick a version of an evaluation dataset for the general-domain set.", "generalEvalVersionId");
  }
}

async function insertRun(tx: DbOrTx, r: NewRun) {
  await checkInputs(tx, r);
  let config;
  try {
    config = resolveConfig(r.preset, r.config ?? {});
  } catch (e) {
    throw new AppError("BAD_REQUEST", `Invalid configuration: ${(e as Error).message}`, "config");
  }
  const id = newId();
  const run = await tx.experiment.create({
    data: {
      id, workspaceId: r.workspaceId, name: r.name, groupId: r.groupId ?? null, clonedFromId: r.clonedFromId ?? null,
      baseModelId: r.baseModelId, trainVersionId: r.trainVersionId, evalVersionId: r.evalVersionId ?? null,
      generalEvalVersionId: r.generalEvalVersionId ?? null, preset: r.preset, config, bestMetric: r.bestMetric ?? "dense:ndcg@10", outputDir: `experiments/${id}`, createdById: r.userId,
    },
  });
  const job = await enqueueJob({ type: "train", workspaceId: r.workspaceId, payload: { workspaceId: r.workspaceId, experimentId: id, config } }, tx);
  // A sweep is one activity entry (written by createSweep), not one per grid point.
  if (!r.groupId) await writeAudit(tx, { workspaceId: r.workspaceId, actorId: r.userId, action: "run.created", details: { experimentId: id, name: r.name, preset: r.preset } });
  return tx.experiment.update({ where: { id }, data: { jobId: job.id } });
}

export async function createRun(r: NewRun) {
  return db.$transaction((tx) => insertRun(tx, r));
}

/** A new run with the source's inputs and config, edited by `changes`. */
export async function cloneRun({ workspaceId, userId, experimentId, name, config }: { workspaceId: string; userId: string; experimentId: string; name?: string; config?: Partial<TrainConfigInput> }) {
  const src = await db.experiment.findFirst({ where: { id: experimentId, workspaceId } });
  if (!src) throw new AppError("NOT_FOUND", "Run not found.", "experimentId");
  const base = trainConfigSchema.parse(src.config);
  return createRun({
    workspaceId, userId, name: name ?? `${src.name} (clone)`, baseModelId: src.baseModelId, trainVersionId: src.trainVersionId,
    evalVersionId: src.evalVersionId, generalEvalVersionId: src.generalEvalVersionId, preset: "custom", config: { ...base, ...config }, bestMetric: src.bestMetric, clonedFromId: src.id,
  });
}

/** Every combination of the grid (sweep.ts: ≤ MAX_SWEEP_RUNS, each value checked) becomes one run of a new group. */
export async function createSweep(r: NewRun & { grid: SweepGrid }) {
  const issues = validateGrid(r.grid);
  if (issues.length) throw new AppError("BAD_REQUEST", issueMessage(issues[0]!), "grid");
  let base;
  try {
    base = resolveConfig(r.preset, r.config ?? {});
  } catch (e) {
    throw new AppError("BAD_REQUEST", `Invalid configuration: ${(e as Error).message}`, "config");
  }
  const configs = expandGrid(r.grid).map((c) => {
    try {
      return { combo: c, config: trainConfigSchema.parse(applyCombo(base, c)) };
    } catch (e) {
      throw new AppError("BAD_REQUEST", e instanceof SweepError ? e.message : `Grid value ${comboLabel(c)} is invalid: ${(e as Error).message}`, "grid");
    }
  });
  return db.$transaction(async (tx) => {
    const group = await tx.experimentGroup.create({ data: { workspaceId: r.workspaceId, name: r.name, grid: r.grid, createdById: r.userId } });
    const runs = [];
    for (const { combo, config } of configs) {
      runs.push(await insertRun(tx, { ...r, name: `${r.name} · ${comboLabel(combo)}`, groupId: group.id, config }));
    }
    await writeAudit(tx, { workspaceId: r.workspaceId, actorId: r.userId, action: "run.created", details: { experimentId: runs[0]?.id, name: r.name, groupId: group.id, sweep: runs.length } });
    return { group, runs };
  }, { timeout: 30_000 });
}

export async function cancelRun({ workspaceId, experimentId, userId }: { workspaceId: string; experimentId: string; userId?: string }) {
  const run = await db.experiment.findFirst({ where: { id: experimentId, workspaceId } });
  if (!run) throw new AppError("NOT_FOUND", "Run not found.", "experimentId");
  if (!run.jobId || (run.status !== "QUEUED" && run.status !== "RUNNING")) throw new AppError("CONFLICT", "Only a queued or running run can be cancelled.", "experimentId");
  // Recorded once the cancel is under way (the job's cancel may still be draining the trainer).
  const record = () => (userId ? writeAudit(db, { workspaceId, actorId: userId, action: "run.cancelled", details: { experimentId: run.id, name: run.name } }) : undefined);
  const job = await db.job.findUnique({ where: { id: run.jobId }, select: { status: true } });
  if (job?.status === "QUEUED" || job?.status === "RUNNING") {
    const r = await cancelJob({ workspaceId, jobId: run.jobId });
    if (r.status === "CANCELLED") await db.experiment.update({ where: { id: run.id }, data: { status: "CANCELLED", phase: null, finishedAt: new Date(), etaSeconds: null } });
    else await db.experiment.update({ where: { id: run.id }, data: { phase: "cancelling" } });
    await record();
    return { status: r.status };
  }
  await db.experiment.update({ where: { id: run.id }, data: { status: "CANCELLED", finishedAt: new Date() } });
  await record();
  return { status: "CANCELLED" as const };
}

/** Queues a cancelled or failed run again; the trainer resumes from the run folder's last checkpoint. */
export async function resumeRun({ workspaceId, experimentId, userId }: { workspaceId: string; experimentId: string; userId?: string }) {
  return db.$transaction(async (tx) => {
    const run = await tx.experiment.findFirst({ where: { id: experimentId, workspaceId } });
    if (!run) throw new AppError("NOT_FOUND", "Run not found.", "experimentId");
    if (run.status !== "CANCELLED" && run.status !== "FAILED") throw new AppError("CONFLICT", "Only a cancelled or failed run can be resumed.", "experimentId");
    const job = await enqueueJob({ type: "train", workspaceId, payload: { workspaceId, experimentId, config: run.config } }, tx);
    if (userId) await writeAudit(tx, { workspaceId, actorId: userId, action: "run.resumed", details: { experimentId: run.id, name: run.name } });
    return tx.experiment.update({ where: { id: run.id }, data: { jobId: job.id, status: "QUEUED", phase: null, error: null, finishedAt: null } });
  });
}

/**
 * A run whose job ended without the handler writing the outcome (a failed last attempt, a queued
 * cancel) takes the job's status here, so the page never shows a dead run as running.
 */
async function reconcile<T extends { id: string; status: string; jobId: string | null }>(run: T): Promise<T> {
  if (!run.jobId || (run.status !== "QUEUED" && run.status !== "RUNNING")) return run;
  const job = await db.job.findUnique({ where: { id: run.jobId }, select: { status: true, lastError: true } });
  if (job && (job.status === "FAILED" || job.status === "CANCELLED")) {
    await db.experiment.update({ where: { id: run.id }, data: { status: job.status, error: job.lastError, phase: null, etaSeconds: null, finishedAt: new Date() } });
    return { ...run, status: job.status };
  }
  return run;
}

export async function listRuns({ workspaceId, groupId }: { workspaceId: string; groupId?: string }) {
  const runs = await db.experiment.findMany({
    where: { workspaceId, ...(groupId ? { groupId } : {}) },
    orderBy: { createdAt: "desc" },
    take: 500,
    select: { id: true, name: true, status: true, preset: true, progress: true, lastStep: true, totalSteps: true, etaSeconds: true, groupId: true, jobId: true, createdAt: true, startedAt: true, finishedAt: true, bestCheckpointId: true, baseModelId: true },
  });
  const out = [];
  for (const r of runs) out.push(await reconcile(r));
  const groups = await db.experimentGroup.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 100 });
  const best = await db.checkpoint.findMany({ where: { id: { in: out.map((r) => r.bestCheckpointId).filter((x): x is string => !!x) } }, select: { id: true, metrics: true, step: true } });
  const bestBy = new Map(best.map((b) => [b.id, b]));
  return { runs: out.map((r) => ({ ...r, best: r.bestCheckpointId ? (bestBy.get(r.bestCheckpointId) ?? null) : null })), groups };
}

export async function getRun({ workspaceId, experimentId }: { workspaceId: string; experimentId: string }) {
  const found = await db.experiment.findFirst({ where: { id: experimentId, workspaceId } });
  if (!found) throw new AppError("NOT_FOUND", "Run not found.", "experimentId");
  const run = await reconcile(found);
  const [baseModel, checkpoints, trainVersion, evalVersion, job, logs, evaluations] = await Promise.all([
    db.baseModel.findUnique({ where: { id: run.baseModelId } }),
    db.checkpoint.findMany({ where: { experimentId: run.id }, orderBy: { step: "asc" } }),
    db.datasetVersion.findUnique({ where: { id: run.trainVersionId }, select: { id: true, number: true, rowCount: true, dataset: { select: { id: true, name: true } } } }),
    run.evalVersionId ? db.datasetVersion.findUnique({ where: { id: run.evalVersionId }, select: { id: true, number: true, rowCount: true, dataset: { select: { id: true, name: true } } } }) : null,
    run.jobId ? db.job.findUnique({ where: { id: run.jobId }, select: { id: true, status: true, attempts: true, lockedBy: true, progressMessage: true, lastError: true } }) : null,
    run.jobId ? db.jobLog.findMany({ where: { jobId: run.jobId }, orderBy: { id: "desc" }, take: 50 }) : [],
    db.evaluation.findMany({ where: { experimentId: run.id }, orderBy: { createdAt: "desc" }, select: { id: true, status: true, createdAt: true } }),
  ]);
  let worker = null;
  if (job?.lockedBy) worker = await db.worker.findUnique({ where: { id: job.lockedBy }, select: { id: true, host: true, capabilities: true } });
  const generalEvalVersion = run.generalEvalVersionId
    ? await db.datasetVersion.findUnique({ where: { id: run.generalEvalVersionId }, select: { id: true, number: true, rowCount: true, dataset: { select: { id: true, name: true } } } })
    : null;
  const merges = await runMerges({ workspaceId, checkpointIds: checkpoints.map((c) => c.id), evalVersionId: run.evalVersionId, generalEvalVersionId: run.generalEvalVersionId });
  return {
    run, baseModel: baseModel ? serializeBaseModel(baseModel) : null, checkpoints, trainVersion, evalVersion, generalEvalVersion, merges, job, worker, evaluations,
    logs: logs.reverse().map((l) => ({ id: String(l.id), level: l.level, message: l.message, createdAt: l.createdAt })),
  };
}

export interface Series {
  experimentId: string;
  name: string;
  points: Array<[number, number]>;
}

/**
 * Metric series of runs, downsampled in SQL to at most `maxPoints` buckets per series (mean value per
 * bucket of steps, at the bucket's last step), so a chart costs the same for 100 or 100,000 steps.
 */
export async function metricSeries({ workspaceId, experimentIds, names, maxPoints = 400 }: { workspaceId: string; experimentIds: string[]; names?: string[]; maxPoints?: number }): Promise<Series[]> {
  const owned = await db.experiment.findMany({ where: { id: { in: experimentIds }, workspaceId }, select: { id: true } });
  const ids = owned.map((o) => o.id);
  if (ids.length === 0) return [];
  const rows = await db.$queryRawUnsafe<Array<{ experimentId: string; name: string; step: number; value: number }>>(
    `WITH s AS (
       SELECT "experimentId", name, GREATEST(1, CEIL(MAX(step)::float8 / $2))::int AS stride
       FROM "MetricPoint" WHERE "experimentId" = ANY($1::text[]) ${names ? `AND name = ANY($3::text[])` : ""}
       GROUP BY "experimentId", name)
     SELECT m."experimentId", m.name, MAX(m.step)::int AS step, AVG(m.value)::float8 AS value
     FROM "MetricPoint" m JOIN s ON s."experimentId" = m."experimentId" AND s.name = m.name
     WHERE m."experimentId" = ANY($1::text[]) ${names ? `AND m.name = ANY($3::text[])` : ""}
     GROUP BY m."experimentId", m.name, m.step / s.stride
     ORDER BY 1, 2, 3`,
    ids, maxPoints, ...(names ? [names] : []),
  );
  const out = new Map<string, Series>();
  for (const r of rows) {
    const key = `${r.experimentId}\u0000${r.name}`;
    let s = out.get(key);
    if (!s) out.set(key, (s = { experimentId: r.experimentId, name: r.name, points: [] }));
    s.points.push([r.step, r.value]);
  }
  return [...out.values()];
}
