import { db } from "../../db";

/**
 * Workers are shared infrastructure, not workspace rows: every member may see that they
 * exist, but the job a worker runs is shown only when it belongs to the asking workspace.
 */
export async function listWorkers({ workspaceId }: { workspaceId: string }) {
  const workers = await db.worker.findMany({ orderBy: { startedAt: "desc" }, take: 100 });
  const jobIds = workers.map((w) => w.currentJobId).filter((id): id is string => !!id);
  const jobs = await db.job.findMany({
    where: { id: { in: jobIds }, workspaceId },
    select: { id: true, type: true, progress: true },
  });
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const staleAfterMs = 60_000;
  return workers.map((w) => ({
    id: w.id,
    host: w.host,
    pid: w.pid,
    capabilities: w.capabilities as Record<string, unknown>,
    jobTypes: w.jobTypes,
    status: w.status === "online" && Date.now() - w.heartbeatAt.getTime() > staleAfterMs ? "unresponsive" : w.status,
    startedAt: w.startedAt,
    heartbeatAt: w.heartbeatAt,
    currentJob: w.currentJobId ? (byId.get(w.currentJobId) ?? { id: null, type: "other workspace", progress: null }) : null,
  }));
}
