import { db } from "../../db";
import { enqueueJob } from "../../jobs/enqueue";
import { AppError } from "../../lib/app-error";
import { writeAudit } from "../workspaces/audit";
import { latestResults, type Subject } from "./evaluations";

/**
 * Merge with base (LM-Cocktail, Xiao et al. 2023): a run checkpoint averaged with the run's base model,
 * W·tuned + (1−W)·base, becomes a new checkpoint — the fix when the forgetting guard flags a general-domain loss.
 * A merged checkpoint has no run of its own (experimentId null): `sourceCheckpointId` and `mergeWeight` tie it to
 * the tuned checkpoint, and its lineage names both parents. The `merge_checkpoint` job does the work.
 */
const MERGE_JOB = "merge_checkpoint";
const ACTIVE = ["QUEUED", "RUNNING"] as const;

/** W as stored and compared: three decimals (the slider's resolution), so 0.5 and 0.5000001 are one merge. */
export const roundWeight = (w: number) => Math.round(w * 1000) / 1000;

/** Queues a merge of a run checkpoint with its base at weight W (editor action, audit-logged). */
export async function mergeWithBase({ workspaceId, userId, checkpointId, weight }: { workspaceId: string; userId: string; checkpointId: string; weight: number }) {
  const w = roundWeight(weight);
  return db.$transaction(async (tx) => {
    const ckpt = await tx.checkpoint.findFirst({ where: { id: checkpointId, workspaceId } });
    if (!ckpt) throw new AppError("NOT_FOUND", "Checkpoint not found.", "checkpointId");
    if (!ckpt.experimentId) throw new AppError("BAD_REQUEST", "Only a run's checkpoint can be merged with its base (this one is already a merge).", "checkpointId");
    const run = await tx.experiment.findFirst({ where: { id: ckpt.experimentId, workspaceId } });
    if (!run) throw new AppError("NOT_FOUND", "The checkpoint's run was not found.", "checkpointId");
    const done = await tx.checkpoint.findFirst({ where: { sourceCheckpointId: ckpt.id, mergeWeight: w }, select: { id: true } });
    if (done) throw new AppError("CONFLICT", `This checkpoint is already merged with W = ${w}.`, "weight");
    const pending = await tx.job.findMany({ where: { type: MERGE_JOB, status: { in: [...ACTIVE] }, payload: { path: ["checkpointId"], equals: ckpt.id } }, select: { payload: true } });
    if (pending.some((j) => (j.payload as { weight?: number }).weight === w)) throw new AppError("CONFLICT", `A merge with W = ${w} is already queued.`, "weight");
    const job = await enqueueJob({ type: MERGE_JOB, workspaceId, payload: { workspaceId, checkpointId: ckpt.id, weight: w, userId } }, tx);
    await writeAudit(tx, { workspaceId, actorId: userId, action: "checkpoint.merged", details: { experimentId: run.id, name: run.name, step: ckpt.step, checkpointId: ckpt.id, weight: w, jobId: job.id } });
    return { jobId: job.id, weight: w };
  });
}

/**
 * The run page's view: merged checkpoints of the run's checkpoints with their dense nDCG@10 on the run's domain
 * and general-domain versions, and merges still queued or running (or failed within the hour).
 */
export async function runMerges({ workspaceId, checkpointIds, evalVersionId, generalEvalVersionId }: { workspaceId: string; checkpointIds: string[]; evalVersionId: string | null; generalEvalVersionId: string | null }) {
  if (checkpointIds.length === 0) return { merged: [], pending: [] };
  const [rows, jobs] = await Promise.all([
    db.checkpoint.findMany({ where: { workspaceId, sourceCheckpointId: { in: checkpointIds } }, orderBy: [{ createdAt: "asc" }] }),
    db.job.findMany({
      where: { workspaceId, type: MERGE_JOB, OR: [{ status: { in: [...ACTIVE] } }, { status: "FAILED", updatedAt: { gt: new Date(Date.now() - 3_600_000) } }] },
      orderBy: { createdAt: "asc" }, select: { id: true, status: true, payload: true, lastError: true },
    }),
  ]);
  const ndcg = async (versionId: string | null) => {
    const results = versionId ? await latestResults(versionId, rows.map((r) => ({ kind: "checkpoint" as const, id: r.id }))) : [];
    return new Map(results.filter((r) => r.mode === "dense").map((r) => [r.subjectId, (r.mean as Record<string, number>)["ndcg@10"] ?? null]));
  };
  const [domain, general] = await Promise.all([ndcg(evalVersionId), ndcg(generalEvalVersionId)]);
  const merged = rows.map((r) => ({ ...r, domainNdcg: domain.get(r.id) ?? null, generalNdcg: general.get(r.id) ?? null }));
  const ids = new Set(checkpointIds);
  const pending = jobs
    .map((j) => ({ jobId: j.id, status: j.status, error: j.lastError, ...(j.payload as { checkpointId: string; weight: number }) }))
    .filter((j) => ids.has(j.checkpointId))
    .map(({ jobId, status, error, checkpointId, weight }) => ({ jobId, status, error, checkpointId, weight }));
  return { merged, pending };
}

// ---- The worker's side (merge_checkpoint job) ---------------------------------------------------------------

export async function loadMergeSource(workspaceId: string, checkpointId: string) {
  const ckpt = await db.checkpoint.findFirst({ where: { id: checkpointId, workspaceId } });
  if (!ckpt?.experimentId) return null;
  const run = await db.experiment.findUnique({ where: { id: ckpt.experimentId } });
  const baseModel = run ? await db.baseModel.findFirst({ where: { id: run.baseModelId, workspaceId } }) : null;
  return run && baseModel ? { ckpt, run, baseModel } : null;
}

export const findMerged = (sourceCheckpointId: string, weight: number) => db.checkpoint.findFirst({ where: { sourceCheckpointId, mergeWeight: weight } });

type Source = NonNullable<Awaited<ReturnType<typeof loadMergeSource>>>;

/**
 * Registers the merged folder as a checkpoint and queues its evaluations in one transaction (a retry after a
 * crash finds the row and queues nothing twice). Evaluations: the run's domain version and its general-domain
 * version; the base model and the source checkpoint are added to a version's evaluation only where they have no
 * result on it yet, so the comparison always has the merge's two parents beside it.
 */
export async function registerMerge({ source, weight, dir, userId }: { source: Source; weight: number; dir: string; userId: string }) {
  const { ckpt, run, baseModel } = source;
  const versions = [run.evalVersionId, run.generalEvalVersionId].filter((v): v is string => !!v);
  const modes = ((run.config as { evalModes?: string[] }).evalModes ?? ["dense", "sparse", "colbert", "hybrid"]);
  const plans: Array<{ versionId: string; subjects: Subject[] }> = [];
  for (const versionId of versions) {
    const extra: Subject[] = [];
    for (const s of [{ kind: "base" as const, id: baseModel.id, label: baseModel.name }, { kind: "checkpoint" as const, id: ckpt.id, label: `step-${ckpt.step}` }]) {
      const have = await latestResults(versionId, [s]);
      if (!modes.every((m) => have.some((h) => h.mode === m))) extra.push(s);
    }
    plans.push({ versionId, subjects: extra });
  }
  return db.$transaction(async (tx) => {
    const existing = await tx.checkpoint.findFirst({ where: { sourceCheckpointId: ckpt.id, mergeWeight: weight } });
    if (existing) return { checkpoint: existing, evaluationIds: [] as string[] };
    const checkpoint = await tx.checkpoint.create({
      data: {
        workspaceId: run.workspaceId, experimentId: null, step: ckpt.step, dir, tags: ["merged"], aliases: [], sourceCheckpointId: ckpt.id, mergeWeight: weight,
        lineage: {
          kind: "merge", method: "linear (LM-Cocktail): W·tuned + (1−W)·base, encoder and sparse/ColBERT heads", weight,
          parents: [
            { kind: "base", id: baseModel.id, name: baseModel.name, share: Math.round((1 - weight) * 1000) / 1000 },
            { kind: "checkpoint", id: ckpt.id, step: ckpt.step, experimentId: run.id, run: run.name, share: weight },
          ],
          baseModelId: baseModel.id, experimentId: run.id, run: run.name, trainVersionId: run.trainVersionId, evalVersionId: run.evalVersionId,
          generalEvalVersionId: run.generalEvalVersionId, step: ckpt.step,
        },
      },
    });
    const label = `step-${ckpt.step} ⊕ base W=${weight}`;
    const evaluationIds: string[] = [];
    for (const plan of plans) {
      const subjects: Subject[] = [{ kind: "checkpoint", id: checkpoint.id, label }, ...plan.subjects];
      const row = await tx.evaluation.create({
        data: {
          workspaceId: run.workspaceId, name: `${run.name} · merge W=${weight}${plan.versionId === run.generalEvalVersionId ? " · general" : ""}`,
          evalVersionId: plan.versionId, subjects: subjects as object[], modes, experimentId: run.id, createdById: userId, status: "QUEUED",
        },
      });
      const job = await enqueueJob({ type: "evaluate_subjects", workspaceId: run.workspaceId, payload: { workspaceId: run.workspaceId, evaluationId: row.id } }, tx);
      await tx.evaluation.update({ where: { id: row.id }, data: { jobId: job.id } });
      evaluationIds.push(row.id);
    }
    return { checkpoint, evaluationIds };
  });
}
