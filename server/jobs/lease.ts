import { db } from "../db";
import { RETRY_RUN_AT_SQL } from "./backoff";
import { sql } from "./executor";

/**
 * Every write after a claim is guarded by `lockedBy = me AND status = 'RUNNING'`. A
 * result of `false` means the lease was lost (reaped, or cancelled and finalised
 * elsewhere): the caller must stop the handler and write nothing more.
 */
const GUARD = `id = $1::uuid AND "lockedBy" = $2 AND status = 'RUNNING'`;

export interface HeartbeatResult {
  held: boolean;
  cancelRequested: boolean;
}

export async function heartbeat(jobId: string, workerId: string): Promise<HeartbeatResult> {
  const rows = await sql<{ cancelRequested: boolean }>(
    db,
    `UPDATE "Job" SET "heartbeatAt" = now() WHERE ${GUARD} RETURNING "cancelRequested"`,
    jobId,
    workerId,
  );
  return { held: rows.length > 0, cancelRequested: rows[0]?.cancelRequested ?? false };
}

export async function reportProgress(jobId: string, workerId: string, fraction: number, message?: string): Promise<boolean> {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const rows = await sql(
    db,
    `UPDATE "Job" SET progress = $3, "progressMessage" = $4, "heartbeatAt" = now(), "updatedAt" = now()
     WHERE ${GUARD} RETURNING id`,
    jobId,
    workerId,
    clamped,
    message ?? null,
  );
  return rows.length > 0;
}

export async function appendLog(jobId: string, workerId: string, message: string, level = "info"): Promise<boolean> {
  const rows = await sql(
    db,
    `INSERT INTO "JobLog" ("jobId", level, message)
     SELECT id, $3, $4 FROM "Job" WHERE ${GUARD} RETURNING id`,
    jobId,
    workerId,
    level,
    message.slice(0, 10_000),
  );
  return rows.length > 0;
}

export async function completeJob(jobId: string, workerId: string, result: unknown): Promise<boolean> {
  const rows = await sql(
    db,
    `UPDATE "Job" SET status = 'SUCCEEDED', result = $3::jsonb, progress = 1, "finishedAt" = now(),
       "lockedBy" = NULL, "updatedAt" = now()
     WHERE ${GUARD} RETURNING id`,
    jobId,
    workerId,
    JSON.stringify(result ?? null),
  );
  return rows.length > 0;
}

/** A failed attempt: requeue with backoff, or FAILED once attempts reach maxAttempts. */
export async function failJob(jobId: string, workerId: string, error: string): Promise<"retrying" | "failed" | "lost"> {
  const rows = await sql<{ status: string }>(
    db,
    `UPDATE "Job" SET
       status = CASE WHEN attempts >= "maxAttempts" THEN 'FAILED'::"JobStatus" ELSE 'QUEUED'::"JobStatus" END,
       "runAt" = ${RETRY_RUN_AT_SQL},
       "finishedAt" = CASE WHEN attempts >= "maxAttempts" THEN now() ELSE NULL END,
       "lastError" = $3, "lockedBy" = NULL, "updatedAt" = now()
     WHERE ${GUARD} RETURNING status`,
    jobId,
    workerId,
    error.slice(0, 10_000),
  );
  const row = rows[0];
  if (!row) return "lost";
  return row.status === "FAILED" ? "failed" : "retrying";
}

/** The handler stopped because cancel was requested. */
export async function markCancelled(jobId: string, workerId: string): Promise<boolean> {
  const rows = await sql(
    db,
    `UPDATE "Job" SET status = 'CANCELLED', "finishedAt" = now(), "lockedBy" = NULL, "updatedAt" = now(),
       "lastError" = COALESCE("lastError", 'cancelled')
     WHERE ${GUARD} RETURNING id`,
    jobId,
    workerId,
  );
  return rows.length > 0;
}

/** Graceful shutdown: hand the job back without burning an attempt. */
export async function releaseJob(jobId: string, workerId: string): Promise<boolean> {
  const rows = await sql(
    db,
    `UPDATE "Job" SET status = 'QUEUED', "lockedBy" = NULL, attempts = GREATEST(attempts - 1, 0),
       "runAt" = now(), "updatedAt" = now()
     WHERE ${GUARD} RETURNING id`,
    jobId,
    workerId,
  );
  return rows.length > 0;
}

/**
 * Written as the result of a job that failed permanently, so that the job list does not offer Retry for it
 * (server/services/jobs/retry-policy.ts): running it again would fail the same way.
 */
export const PERMANENT_FAILURE_RESULT = { retryable: false } as const;

/** A payload that fails its schema at claim time, or a PermanentJobError, can never succeed: fail without retries. */
export async function failPermanently(jobId: string, workerId: string, error: string): Promise<boolean> {
  const rows = await sql(
    db,
    `UPDATE "Job" SET status = 'FAILED', "finishedAt" = now(), "lastError" = $3, "lockedBy" = NULL, "updatedAt" = now(),
       result = '${JSON.stringify(PERMANENT_FAILURE_RESULT)}'::jsonb
     WHERE ${GUARD} RETURNING id`,
    jobId,
    workerId,
    error.slice(0, 10_000),
  );
  return rows.length > 0;
}
