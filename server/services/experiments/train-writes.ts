import { db } from "../../db";
import type { RunStatus } from "../../generated/prisma/enums";
import { SYSTEM_PREFIX } from "./system-series";

/**
 * The database side of the `train` job (the worker owns every write; the trainer never touches the DB).
 * Metric points are upserted on (run, series, step): a resumed run that replays steps after its last
 * checkpoint overwrites them, so the history has neither gaps nor duplicates.
 */
export async function loadRunForTraining(experimentId: string) {
  const run = await db.experiment.findUnique({ where: { id: experimentId } });
  if (!run) return null;
  const baseModel = await db.baseModel.findUnique({ where: { id: run.baseModelId } });
  return { run, baseModel };
}

export async function markRunStarted(experimentId: string, jobId: string) {
  await db.experiment.update({ where: { id: experimentId }, data: { status: "RUNNING", jobId, phase: "preparing", error: null, finishedAt: null } });
  await db.experiment.updateMany({ where: { id: experimentId, startedAt: null }, data: { startedAt: new Date() } });
}

/** Epoch ms of the run's first start: the origin of its resource series' seconds (system-series.ts). */
export async function runStartedAt(experimentId: string) {
  const run = await db.experiment.findUnique({ where: { id: experimentId }, select: { startedAt: true } });
  return run?.startedAt?.getTime() ?? null;
}

export async function updateRunProgress(experimentId: string, data: { lastStep?: number; totalSteps?: number; progress?: number; etaSeconds?: number | null; phase?: string | null }) {
  await db.experiment.update({ where: { id: experimentId }, data });
}

export async function finishRun(experimentId: string, status: RunStatus, error?: string | null) {
  await db.experiment.update({
    where: { id: experimentId },
    data: { status, error: error ?? null, phase: null, etaSeconds: null, finishedAt: status === "QUEUED" ? null : new Date(), ...(status === "SUCCEEDED" ? { progress: 1 } : {}) },
  });
}

export interface Point {
  name: string;
  step: number;
  value: number;
}

/** One statement per batch: unnest the arrays, upsert on (experimentId, name, step). */
export async function writePoints(experimentId: string, points: Point[]) {
  if (points.length === 0) return;
  const dedup = new Map<string, Point>();
  for (const p of points) if (Number.isFinite(p.value)) dedup.set(`${p.name}\u0000${p.step}`, p);
  const list = [...dedup.values()];
  await db.$executeRawUnsafe(
    `INSERT INTO "MetricPoint" ("experimentId", name, step, value)
     SELECT $1, n, s, v FROM unnest($2::text[], $3::int[], $4::float8[]) AS t(n, s, v)
     ON CONFLICT ("experimentId", name, step) DO UPDATE SET value = EXCLUDED.value`,
    experimentId, list.map((p) => p.name), list.map((p) => p.step), list.map((p) => p.value),
  );
}

/**
 * Metric points past `step` (kept from a crashed attempt) are dropped on resume: the trainer replays them.
 * Resource series are kept: their step counts seconds, not training steps, and nothing replays them.
 */
export async function dropPointsAfter(experimentId: string, step: number) {
  await db.metricPoint.deleteMany({ where: { experimentId, step: { gt: step }, NOT: { name: { startsWith: SYSTEM_PREFIX } } } });
}

export async function registerCheckpoint(opts: { workspaceId: string; experimentId: string; step: number; dir: string; lineage: Record<string, unknown> }) {
  return db.checkpoint.upsert({
    where: { experimentId_step: { experimentId: opts.experimentId, step: opts.step } },
    create: { workspaceId: opts.workspaceId, experimentId: opts.experimentId, step: opts.step, dir: opts.dir, tags: [], aliases: [], lineage: opts.lineage as object },
    update: { dir: opts.dir },
  });
}

export async function setCheckpointMetrics(checkpointId: string, metrics: Record<string, unknown>) {
  await db.checkpoint.update({ where: { id: checkpointId }, data: { metrics: metrics as object } });
}

/** `bestMetric` is "mode:metric" (default "dense:ndcg@10"); the highest value wins, ties go to the later step. */
export async function markBest(experimentId: string, bestMetric: string) {
  const [mode, metric] = bestMetric.includes(":") ? bestMetric.split(":") as [string, string] : ["dense", bestMetric];
  const ckpts = await db.checkpoint.findMany({ where: { experimentId }, orderBy: { step: "asc" } });
  let best: { id: string; v: number } | null = null;
  for (const c of ckpts) {
    const v = ((c.metrics as Record<string, Record<string, number>> | null)?.[mode] ?? {})[metric];
    if (typeof v === "number" && (!best || v >= best.v)) best = { id: c.id, v };
  }
  await db.checkpoint.updateMany({ where: { experimentId }, data: { isBest: false } });
  if (best) await db.checkpoint.update({ where: { id: best.id }, data: { isBest: true } });
  await db.experiment.update({ where: { id: experimentId }, data: { bestCheckpointId: best?.id ?? null } });
  return best;
}

/** Training groups of a version, in record order, by split ("train" also takes unsplit rows). */
export async function* trainingGroups(versionId: string, split: "train" | "validation") {
  let after = BigInt(0);
  for (;;) {
    const rows = await db.datasetRecord.findMany({
      where: { versionId, type: "pair", id: { gt: after }, ...(split === "train" ? { OR: [{ split: null }, { split: "train" }] } : { split: "validation" }) },
      orderBy: { id: "asc" }, take: 2000, select: { id: true, data: true },
    });
    if (rows.length === 0) return;
    for (const r of rows) yield r.data as { query: string; pos: string[]; neg?: string[]; pos_scores?: number[]; neg_scores?: number[]; prompt?: string };
    after = rows[rows.length - 1]!.id;
  }
}

export async function runCheckpoints(experimentId: string) {
  return db.checkpoint.findMany({ where: { experimentId }, orderBy: { step: "asc" }, select: { id: true, step: true } });
}
