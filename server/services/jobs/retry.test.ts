import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../../db";
import { env } from "../../env";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { codeOf } from "../../testing/trpc-codes";
import { spawnWorker, waitFor } from "../../../gpu-worker/testing/spawn-worker";

/**
 * job.retry through the real tRPC router (issue #13, findings 6 and the queue test): a retry is a new queued job
 * for the workspace's limits, so it cannot pass WORKSPACE_MAX_QUEUED_JOBS or run a second queue test; and the job
 * list offers Retry (`retryable`) exactly where the server accepts it — not for a job that failed permanently on
 * a real worker, nor for a deployment's replica, nor for an editor's queue test.
 */
async function team() {
  const owner = await createUser();
  const editor = await createUser();
  const workspace = await createWorkspaceWith([
    { userId: owner.id, role: "OWNER" },
    { userId: editor.id, role: "EDITOR" },
  ]);
  return { workspace, owner: callerFor(owner.id), editor: callerFor(editor.id) };
}

/** A job row as a finished attempt would leave it (the worker's own paths are exercised below). */
async function finishedJob(workspaceId: string, { type = "noop", status = "CANCELLED" as const, payload = {} as object } = {}) {
  return db.job.create({ data: { workspaceId, type, payload, status, finishedAt: new Date(), lastError: "cancelled" }, select: { id: true } });
}

async function insertQueued(workspaceId: string, count: number) {
  await db.$executeRawUnsafe(
    `INSERT INTO "Job" (id, "workspaceId", type, payload) SELECT gen_random_uuid(), $1, 'noop', '{}'::jsonb FROM generate_series(1, $2)`,
    workspaceId,
    count,
  );
}

const retryableOf = async (caller: ReturnType<typeof callerFor>, workspaceId: string, jobId: string) =>
  (await caller.job.list({ workspaceId })).find((j) => j.id === jobId)?.retryable;

// Jobs left by an earlier test must not be claimed by this file's worker.
beforeEach(async () => {
  await db.job.updateMany({ where: { status: { in: ["QUEUED", "RUNNING"] } }, data: { status: "CANCELLED", lockedBy: null } });
});
afterAll(async () => db.$disconnect());

describe("job.retry counts against the workspace's queue limit", () => {
  it("is refused with enqueue's error once the workspace has WORKSPACE_MAX_QUEUED_JOBS queued", async () => {
    const limit = env.WORKSPACE_MAX_QUEUED_JOBS;
    const { workspace, editor } = await team();
    await insertQueued(workspace.id, limit);
    const cancelled = await finishedJob(workspace.id);

    await expect(editor.job.retry({ workspaceId: workspace.id, jobId: cancelled.id })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: `This workspace already has ${limit} queued jobs, its limit (WORKSPACE_MAX_QUEUED_JOBS): wait for them to run or cancel some, then try again.`,
    });
    expect((await db.job.findUniqueOrThrow({ where: { id: cancelled.id } })).status).toBe("CANCELLED");
    expect(await db.job.count({ where: { workspaceId: workspace.id, status: "QUEUED" } })).toBe(limit);
  });

  it("racing retries fill the last place once", async () => {
    const limit = env.WORKSPACE_MAX_QUEUED_JOBS;
    const { workspace, editor } = await team();
    await insertQueued(workspace.id, limit - 1);
    const jobs = await Promise.all(Array.from({ length: 4 }, () => finishedJob(workspace.id)));

    const codes = await Promise.all(jobs.map((job) => codeOf(editor.job.retry({ workspaceId: workspace.id, jobId: job.id }))));
    expect(codes.filter((c) => c === "OK").length).toBe(1);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS").length).toBe(3);
    expect(await db.job.count({ where: { workspaceId: workspace.id, status: "QUEUED" } })).toBe(limit);
  });
});

describe("the queue test (sleep) through job.retry", () => {
  it("owners only: an editor is not offered Retry and is refused", async () => {
    const { workspace, owner, editor } = await team();
    const test = await finishedJob(workspace.id, { type: "sleep", payload: { ms: 20_000 } });

    expect(await retryableOf(editor, workspace.id, test.id)).toBe(false);
    await expect(editor.job.retry({ workspaceId: workspace.id, jobId: test.id })).rejects.toMatchObject({ code: "CONFLICT", message: "Only owners can run the queue test." });
    expect(await retryableOf(owner, workspace.id, test.id)).toBe(true);
    expect(await codeOf(owner.job.retry({ workspaceId: workspace.id, jobId: test.id }))).toBe("OK");
  });

  it("one at a time: a cancelled test cannot be retried while another is queued", async () => {
    const { workspace, owner } = await team();
    const first = await owner.job.enqueueTest({ workspaceId: workspace.id, seconds: 600 });
    await owner.job.cancel({ workspaceId: workspace.id, jobId: first.id });
    await owner.job.enqueueTest({ workspaceId: workspace.id, seconds: 600 });

    await expect(owner.job.retry({ workspaceId: workspace.id, jobId: first.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "A queue test is already queued in this workspace: wait for it to finish or cancel it first.",
    });
    expect(await db.job.count({ where: { workspaceId: workspace.id, type: "sleep", status: "QUEUED" } })).toBe(1);
  });
});

describe("Retry only where retrying can help", () => {
  it("a job the real worker failed permanently is not retryable; one that used up its attempts is", async () => {
    // Sleep jobs (the queue test) are what this worker runs: an owner's to retry.
    const { workspace, owner } = await team();
    // A payload the worker refuses at claim time (it fails its schema): failed permanently, without running.
    const [broken] = await db.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO "Job" (id, "workspaceId", type, payload) VALUES (gen_random_uuid(), $1, 'sleep', '{"ms":"soon"}'::jsonb) RETURNING id`,
      workspace.id,
    );
    // A handler error on its only attempt: failed, but another attempt may succeed.
    const flaky = await db.job.create({ data: { workspaceId: workspace.id, type: "sleep", payload: { ms: 0, failWith: "flaky" }, maxAttempts: 1 }, select: { id: true } });
    const worker = await spawnWorker({ WORKER_JOB_TYPES: "sleep", WORKER_CONCURRENCY: "2" });
    try {
      await waitFor(async () => (await db.job.count({ where: { id: { in: [broken!.id, flaky.id] }, status: "FAILED" } })) === 2, 60_000, "both jobs to fail");
    } finally {
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
    }

    // The permanent failure: hidden and refused (the payload would fail the same way).
    expect(await retryableOf(owner, workspace.id, broken!.id)).toBe(false);
    await expect(owner.job.retry({ workspaceId: workspace.id, jobId: broken!.id })).rejects.toMatchObject({ code: "CONFLICT" });
    // The same for a permanent failure whose payload is still valid (a PermanentJobError from the handler).
    await db.job.update({ where: { id: broken!.id }, data: { payload: { ms: 0 } } });
    await expect(owner.job.retry({ workspaceId: workspace.id, jobId: broken!.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This job failed in a way that retrying cannot fix (see its error): fix the cause, then start it anew from its page.",
    });
    // The used-up attempts: offered and accepted, with its failure marker cleared.
    expect(await retryableOf(owner, workspace.id, flaky.id)).toBe(true);
    expect(await codeOf(owner.job.retry({ workspaceId: workspace.id, jobId: flaky.id }))).toBe("OK");
    expect(await db.job.findUniqueOrThrow({ where: { id: flaky.id }, select: { status: true, attempts: true, result: true } })).toEqual({ status: "QUEUED", attempts: 0, result: null });
  }, 120_000);

  it("a deployment's replica job is restarted from its deployment, not retried from the list", async () => {
    const { workspace, editor } = await team();
    const replica = await finishedJob(workspace.id, { type: "serve_deployment", payload: { workspaceId: workspace.id, deploymentId: "d-1", replica: 0 } });
    expect(await retryableOf(editor, workspace.id, replica.id)).toBe(false);
    await expect(editor.job.retry({ workspaceId: workspace.id, jobId: replica.id })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("Redeploy") });
    expect((await db.job.findUniqueOrThrow({ where: { id: replica.id } })).status).toBe("CANCELLED");
  });

  it("running and succeeded jobs are not retryable", async () => {
    const { workspace, editor } = await team();
    const done = await finishedJob(workspace.id, { status: "SUCCEEDED" as never });
    expect(await retryableOf(editor, workspace.id, done.id)).toBe(false);
    await expect(editor.job.retry({ workspaceId: workspace.id, jobId: done.id })).rejects.toMatchObject({ code: "CONFLICT", message: "Only failed or cancelled jobs can be retried." });
  });
});
