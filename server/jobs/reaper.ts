import { db } from "../db";
import { RETRY_RUN_AT_SQL } from "./backoff";
import { sql } from "./executor";

/**
 * Requeues RUNNING jobs whose heartbeat is older than their lease (their worker died or
 * hung). Backoff is exponential in attempts with jitter; a job out of attempts ends FAILED
 * with the reason kept. Any worker may run this; it is one idempotent statement.
 */
const REAP_SQL = `
UPDATE "Job" SET
  status = CASE WHEN attempts >= "maxAttempts" THEN 'FAILED'::"JobStatus" ELSE 'QUEUED'::"JobStatus" END,
  "finishedAt" = CASE WHEN attempts >= "maxAttempts" THEN now() ELSE NULL END,
  "lastError" = 'lease expired: worker ' || COALESCE("lockedBy", '?') || ' stopped sending heartbeats',
  "runAt" = ${RETRY_RUN_AT_SQL},
  "lockedBy" = NULL, "updatedAt" = now()
WHERE status = 'RUNNING' AND "heartbeatAt" < now() - make_interval(secs => "leaseSeconds")
RETURNING id, status`;

export async function reapExpiredLeases(): Promise<{ requeued: number; failed: number }> {
  const rows = await sql<{ id: string; status: string }>(db, REAP_SQL);
  return {
    requeued: rows.filter((r) => r.status === "QUEUED").length,
    failed: rows.filter((r) => r.status === "FAILED").length,
  };
}
