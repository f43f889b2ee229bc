import { db } from "../db";
import { sql } from "./executor";
import type { JobRow } from "./job-row";

/**
 * Claims the most urgent runnable job of the given types in one statement.
 *
 * The CTE picks a candidate with FOR UPDATE SKIP LOCKED, so concurrent workers never
 * block on each other nor claim the same row; the UPDATE then takes the lease. Order:
 * priority (high first), then runAt, then id for a deterministic tie-break. The index
 * ("status", "priority", "runAt") serves the scan. Trade-off (as graphile/worker notes):
 * SKIP LOCKED can skip a row another worker is about to give up, which only delays it by
 * one poll, never loses it.
 */
const CLAIM_SQL = `
WITH candidate AS (
  SELECT id FROM "Job"
  WHERE status = 'QUEUED' AND "runAt" <= now() AND type = ANY($2::text[])
    AND NOT (payload @> ANY($3::jsonb[]))
  ORDER BY priority DESC, "runAt" ASC, id ASC
  LIMIT 1
  FOR UPDATE SKIP LOCKED
)
UPDATE "Job" j
SET status = 'RUNNING', "lockedBy" = $1, "lockedAt" = now(), "heartbeatAt" = now(),
    attempts = j.attempts + 1, "updatedAt" = now()
FROM candidate
WHERE j.id = candidate.id
RETURNING j.id, j."workspaceId", j.type, j.payload, j.status, j.priority, j.attempts,
          j."maxAttempts", j."leaseSeconds", j."lockedBy", j."cancelRequested"`;

/** `exclude`: payload fragments (JobDefinition.spreadKey of the jobs this worker runs) it must not claim again. */
export async function claimJob(workerId: string, types: string[], exclude: Record<string, string>[] = []): Promise<JobRow | null> {
  const rows = await sql<JobRow>(db, CLAIM_SQL, workerId, types, exclude.map((e) => JSON.stringify(e)));
  return rows[0] ?? null;
}
