import { db } from "../db";
import { env } from "../env";
import { jobDefinitions } from "./definitions";
import { sql } from "./executor";
import type { JobRow } from "./job-row";

/**
 * Claims the next runnable job of the given types in one statement, fairly across workspaces.
 *
 * Order: the workspace with the fewest running jobs first (so one workspace's burst cannot starve another's
 * work), then priority (high first), runAt, and id for a deterministic tie-break. Jobs of a workspace already at
 * WORKSPACE_MAX_RUNNING_JOBS are skipped. System jobs (no workspace) are ranked by the running system jobs and
 * have no limit; service jobs (deployments: long-lived, with their own replica limits) neither count towards nor
 * are held back by the limit, or four live deployments would block a workspace's every other job.
 *
 * Cost: `heads` reads only the first claimable jobs of each workspace (as many as its running limit: no more of
 * them could run at once) and the first SYSTEM_HEADS system jobs, through the index ("workspaceId", status,
 * priority DESC, "runAt", id), so a claim sorts a few rows per workspace with work however long the queues are
 * (ranking the whole queue by a per-workspace count made a claim O(queued jobs): 376 ms at 50,000 queued).
 * SYSTEM_HEADS is how many claimers can take system jobs at the same moment before the next one finds only locked
 * rows and waits for its next wake-up or poll.
 *
 * The candidate CTE takes its row with FOR UPDATE SKIP LOCKED, so concurrent workers never block on each other
 * nor claim the same row. Its running counts come from the statement's snapshot, which is enough to rank but not
 * to enforce the limit: two claimers could both see 3 of 4 running and both claim. So the admitted step re-checks
 * the one locked candidate with m3_workspace_has_free_slot (migration 20261202180000), which serialises claimers
 * of the same workspace on a transaction lock and counts with a fresh snapshot. A candidate refused there makes
 * this claim return nothing; the worker claims again on its next wake-up or poll, as with a row SKIP LOCKED
 * passed over (graphile/worker's trade-off: a delay of one poll, never a lost job).
 */
const SYSTEM_HEADS = 16;
const CLAIMABLE = `j.status = 'QUEUED' AND j."runAt" <= now() AND j.type = ANY($2::text[]) AND NOT (j.payload @> ANY($3::jsonb[]))`;
const QUEUE_ORDER = `ORDER BY j.priority DESC, j."runAt" ASC, j.id ASC`;
const CLAIM_SQL = `
WITH running AS (
  SELECT "workspaceId", count(*)::int AS jobs FROM "Job"
  WHERE status = 'RUNNING' AND NOT (type = ANY($4::text[]))
  GROUP BY "workspaceId"
),
heads AS (
  SELECT head.id, COALESCE(r.jobs, 0) AS running, head.priority, head."runAt"
  FROM "Workspace" w
  LEFT JOIN running r ON r."workspaceId" = w.id
  CROSS JOIN LATERAL (
    SELECT j.id, j.priority, j."runAt" FROM "Job" j
    WHERE j."workspaceId" = w.id AND ${CLAIMABLE} AND (COALESCE(r.jobs, 0) < $5 OR j.type = ANY($4::text[]))
    ${QUEUE_ORDER} LIMIT $5
  ) head
  UNION ALL
  (SELECT j.id, COALESCE((SELECT jobs FROM running WHERE "workspaceId" IS NULL), 0), j.priority, j."runAt" FROM "Job" j
   WHERE j."workspaceId" IS NULL AND ${CLAIMABLE}
   ${QUEUE_ORDER} LIMIT ${SYSTEM_HEADS})
),
candidate AS MATERIALIZED (
  SELECT j.id, j."workspaceId", j.type FROM heads h JOIN "Job" j ON j.id = h.id
  -- The id list makes the planner fetch these few rows by primary key instead of hashing the whole queue.
  WHERE j.id = ANY(ARRAY(SELECT id FROM heads)) AND j.status = 'QUEUED'
  ORDER BY h.running ASC, h.priority DESC, h."runAt" ASC, h.id ASC
  LIMIT 1
  FOR UPDATE OF j SKIP LOCKED
),
admitted AS MATERIALIZED (
  SELECT id FROM candidate
  WHERE "workspaceId" IS NULL OR type = ANY($4::text[]) OR m3_workspace_has_free_slot("workspaceId", $4::text[], $5)
)
UPDATE "Job" j
SET status = 'RUNNING', "lockedBy" = $1, "lockedAt" = now(), "heartbeatAt" = now(),
    attempts = j.attempts + 1, "updatedAt" = now()
FROM admitted
WHERE j.id = admitted.id
RETURNING j.id, j."workspaceId", j.type, j.payload, j.status, j.priority, j.attempts,
          j."maxAttempts", j."leaseSeconds", j."lockedBy", j."cancelRequested"`;

const SERVICE_TYPES = jobDefinitions.filter((d) => d.service).map((d) => d.type);

/**
 * `exclude`: payload fragments (JobDefinition.spreadKey of the jobs this worker runs) it must not claim again.
 * `maxRunningPerWorkspace`: WORKSPACE_MAX_RUNNING_JOBS unless a caller (a test) says otherwise.
 */
export async function claimJob(
  workerId: string,
  types: string[],
  exclude: Record<string, string>[] = [],
  maxRunningPerWorkspace: number = env.WORKSPACE_MAX_RUNNING_JOBS,
): Promise<JobRow | null> {
  const rows = await sql<JobRow>(db, CLAIM_SQL, workerId, types, exclude.map((e) => JSON.stringify(e)), SERVICE_TYPES, maxRunningPerWorkspace);
  return rows[0] ?? null;
}
