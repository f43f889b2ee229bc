import { db, type Tx } from "../db";
import { AppError } from "../lib/app-error";
import { enqueueJob } from "./enqueue";
import { sql } from "./executor";
import { lockWorkspaceQueue } from "./workspace-queue-lock";

/** The sleep job type that "Test the queue" enqueues. */
export const QUEUE_TEST_TYPE = "sleep";

/**
 * Settings → Jobs → "Test the queue": one `sleep` job to check that workers pick up work. It holds a worker slot
 * for up to 10 minutes, so a workspace gets one at a time (queued or running); who may start it (owners) is the
 * router's business. The check and the insert share the workspace's queue lock, so two clicks at once make one job.
 */
export async function enqueueQueueTest(input: { workspaceId: string; seconds: number }): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    await lockWorkspaceQueue(tx, input.workspaceId);
    await assertNoActiveQueueTest(tx, input.workspaceId, "seconds");
    return enqueueJob({ type: QUEUE_TEST_TYPE, payload: { ms: input.seconds * 1000 }, workspaceId: input.workspaceId }, tx);
  });
}

/** Refuses a second queue test while one is queued or running in the workspace. Call under lockWorkspaceQueue. */
export async function assertNoActiveQueueTest(tx: Tx, workspaceId: string, field: string): Promise<void> {
  const active = await sql<{ status: string }>(
    tx,
    `SELECT status::text FROM "Job" WHERE "workspaceId" = $1 AND type = $2 AND status IN ('QUEUED', 'RUNNING') LIMIT 1`,
    workspaceId,
    QUEUE_TEST_TYPE,
  );
  if (active[0]) {
    throw new AppError(
      "CONFLICT",
      `A queue test is already ${active[0].status.toLowerCase()} in this workspace: wait for it to finish or cancel it first.`,
      field,
    );
  }
}
