import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { writeAudit } from "../workspaces/audit";

/**
 * The accuracy check of an int8 or fp16 deployment (Deployment.accuracyCheck): fp32 and quantised dense retrieval on
 * (up to ACCURACY_MAX_QUERIES queries of) an evaluation version, measured by the serving job before the
 * deployment goes live. Every quantised model waits for "Go live" with its cost on screen; a drop larger
 * than DROP_CONFIRM_PCT (relative nDCG@10) must be acknowledged explicitly as well.
 */
export const ACCURACY_MAX_QUERIES = 200;
export const DROP_CONFIRM_PCT = 2;

export interface AccuracyMetrics { "ndcg@10": number; "mrr@10": number }

export interface AccuracyCheck {
  /** The model folder measured: a model switch measures again. */
  modelDir: string;
  status: "running" | "done" | "skipped" | "failed";
  evalVersionId: string | null;
  queries?: number;
  documents?: number;
  /** The quantised precision measured (checks made before fp16 had a gate have none: int8). */
  precision?: "int8" | "fp16";
  fp32?: AccuracyMetrics;
  /** The quantised graph's metrics — int8's or fp16's, see `precision` (the field keeps its first name for stored checks). */
  int8?: AccuracyMetrics;
  /** Relative change of the quantised graph vs fp32, in percent (negative = worse). */
  deltaPct?: AccuracyMetrics;
  /** Why it was skipped or failed. */
  reason?: string;
  jobId: string;
  startedAt: string;
  finishedAt?: string;
  approvedAt?: string;
  approvedById?: string;
}

export function needsAcknowledgement(check: AccuracyCheck): boolean {
  if (check.status !== "done") return true;
  return (check.deltaPct?.["ndcg@10"] ?? 0) < -DROP_CONFIRM_PCT;
}

export function relativeDelta(fp32: AccuracyMetrics, int8: AccuracyMetrics): AccuracyMetrics {
  const pct = (a: number, b: number) => (a === 0 ? 0 : ((b - a) / a) * 100);
  return { "ndcg@10": pct(fp32["ndcg@10"], int8["ndcg@10"]), "mrr@10": pct(fp32["mrr@10"], int8["mrr@10"]) };
}

/**
 * Takes the check for `modelDir` (one replica runs it; the others wait for it) in one conditional
 * UPDATE. Returns the current check when another job holds or finished it.
 */
export async function claimAccuracyCheck(deploymentId: string, modelDir: string, jobId: string, evalVersionId: string | null, precision: "int8" | "fp16" = "int8"): Promise<{ mine: boolean; check: AccuracyCheck | null }> {
  const fresh: AccuracyCheck = { modelDir, status: "running", precision, evalVersionId, jobId, startedAt: new Date().toISOString() };
  // Taken when there is none, it measured another model, or its running holder's job is no longer running
  // (a failed check stays failed: going live then needs an explicit acknowledgement).
  const taken = await db.$executeRaw`
    UPDATE "Deployment" d SET "accuracyCheck" = ${JSON.stringify(fresh)}::jsonb
    WHERE d.id = ${deploymentId} AND (
      d."accuracyCheck" IS NULL OR d."accuracyCheck"->>'modelDir' IS DISTINCT FROM ${modelDir}
      OR (d."accuracyCheck"->>'status' = 'running' AND NOT EXISTS (
        SELECT 1 FROM "Job" j WHERE j.id::text = d."accuracyCheck"->>'jobId' AND j.status = 'RUNNING')))`;
  if (taken === 1) return { mine: true, check: fresh };
  const row = await db.deployment.findUnique({ where: { id: deploymentId }, select: { accuracyCheck: true } });
  return { mine: false, check: (row?.accuracyCheck as AccuracyCheck | null) ?? null };
}

export async function saveAccuracyCheck(deploymentId: string, check: AccuracyCheck): Promise<void> {
  await db.deployment.update({ where: { id: deploymentId }, data: { accuracyCheck: check as object } });
}

/** "Go live": approves the measured cost; the replicas waiting for it start taking traffic. */
export async function goLive({ workspaceId, deploymentId, userId, acknowledgeDrop }: { workspaceId: string; deploymentId: string; userId: string; acknowledgeDrop: boolean }) {
  const deployment = await db.deployment.findFirst({ where: { id: deploymentId, workspaceId } });
  if (!deployment) throw new AppError("NOT_FOUND", "Deployment not found", "deploymentId");
  const check = deployment.accuracyCheck as AccuracyCheck | null;
  if (!check || check.modelDir !== deployment.modelDir || check.status === "running") {
    throw new AppError("CONFLICT", "The accuracy check of this model has not finished yet", "deploymentId");
  }
  if (check.approvedAt) throw new AppError("CONFLICT", "This model is already live", "deploymentId");
  if (needsAcknowledgement(check) && !acknowledgeDrop) {
    throw new AppError("BAD_REQUEST", check.status === "done"
      ? `${check.precision ?? "int8"} loses ${(-check.deltaPct!["ndcg@10"]).toFixed(1)}% nDCG@10 (more than ${DROP_CONFIRM_PCT}%): confirm that you accept the drop`
      : "The accuracy cost is unknown (no evaluation result): confirm to go live anyway", "acknowledgeDrop");
  }
  const approved: AccuracyCheck = { ...check, approvedAt: new Date().toISOString(), approvedById: userId };
  await db.$transaction(async (tx) => {
    await tx.deployment.update({ where: { id: deploymentId }, data: { accuracyCheck: approved as object } });
    await writeAudit(tx, {
      workspaceId, actorId: userId, action: "deployment.went_live",
      details: { deploymentId, name: deployment.name, model: deployment.modelLabel, ndcgDeltaPct: check.deltaPct?.["ndcg@10"] ?? null },
    });
  });
  return { approved: true };
}
