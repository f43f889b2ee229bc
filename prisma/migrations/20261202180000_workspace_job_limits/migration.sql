-- Per-workspace job limits (server/jobs/claim.ts, server/jobs/enqueue.ts).

-- CreateIndex: counts of a workspace's QUEUED / RUNNING jobs at enqueue and claim time.
CREATE INDEX "Job_workspaceId_status_idx" ON "Job"("workspaceId", "status");

-- The admission check of a claim. Called from the claim statement for the one candidate it locked: takes a
-- per-workspace transaction lock, so two claimers of the same workspace decide one after the other, and counts the
-- workspace's running jobs. The function is VOLATILE on purpose: in READ COMMITTED each of its queries takes a fresh
-- snapshot, so the count sees a claim another worker committed after the calling statement began (a plain subquery
-- would see the statement's older snapshot and let two claimers both take "the last slot").
CREATE FUNCTION m3_workspace_has_free_slot(workspace_id TEXT, service_types TEXT[], max_running INTEGER)
RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  -- 72707370: this lock's namespace (enqueue uses another), hashtext: the workspace within it.
  PERFORM pg_advisory_xact_lock(72707370, hashtext(workspace_id));
  RETURN (
    SELECT count(*) FROM "Job"
    WHERE "workspaceId" = workspace_id AND status = 'RUNNING' AND NOT (type = ANY(service_types))
  ) < max_running;
END;
$$;
