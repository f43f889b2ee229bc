import { db } from "../db";
import { AppError } from "../lib/app-error";
import { enqueueJob } from "./enqueue";
import { sql } from "./executor";
import { lockWorkspaceQueue } from "./workspace-queue-lock";

/**
 * Settings → Jobs → "Test the queue": one `sleep` job to check that workers pick up work. It holds a worker slot
 * for up to 10 minutes, so a workspace gets one at a time (queued or running); who may start it (owners) is the
 * router's business. The check and the insert share the workspace's queue lock, so two clicks at once make one job.
 */
export async function enqueueQueueTest(input: { workspaceId: string; seconds: number }): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    await lockWorkspaceQueue(tx, input.workspaceId);
    const active = await sql<{ status: string }>(
      tx,
      `SELECT status::text FROM "Job" WHERE "workspaceId" = $1 AND type = 'sleep' AND status IN ('QUEUED', 'RUNNING') LIMIT 1`,
      input.workspaceId,
    );
    if (active[0]) {
      throw new AppError(
        "CONFLICT",
        `A queue test is already ${active[0].status.toLowerCase()} in this workspace: wait for it to finish or cancel it first.`,
        "seconds",
      );
    }
    return enqueueJob({ type: "sleep", payload: { ms: input.seconds * 1000 }, workspaceId: input.workspaceId }, tx);
  });
}
