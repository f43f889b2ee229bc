-- The fair claim (server/jobs/claim.ts) reads each workspace's first claimable jobs in their own order
-- (priority high first, then runAt, then id): one index serves that and the per-workspace QUEUED / RUNNING counts.

-- DropIndex
DROP INDEX "Job_workspaceId_status_idx";

-- CreateIndex
CREATE INDEX "Job_workspaceId_status_priority_runAt_id_idx" ON "Job"("workspaceId", "status", "priority" DESC, "runAt", "id");
