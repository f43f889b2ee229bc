import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "../db";
import { env } from "../env";
import { callerFor, createUser, createWorkspaceWith } from "../testing/factories";
import { codeOf } from "../testing/trpc-codes";
import { spawnWorker, waitFor } from "../../gpu-worker/testing/spawn-worker";
import { claimJob } from "./claim";
import { enqueueJob } from "./enqueue";

/**
 * Per-workspace fairness and limits against the real PostgreSQL (issue #13, finding 6): the claim statement ranks
 * workspaces by their running jobs and holds back one at WORKSPACE_MAX_RUNNING_JOBS, even under concurrent claimers;
 * enqueue refuses a workspace's job beyond WORKSPACE_MAX_QUEUED_JOBS; the queue test (sleep job) is for owners, one
 * at a time, through the real tRPC router.
 */
const TEN_MINUTES = 600_000;

async function ownerWorkspace() {
  const owner = await createUser();
  const workspace = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }]);
  return { owner, workspace };
}

const sleepJob = (workspaceId: string | null) => enqueueJob({ type: "sleep", payload: { ms: TEN_MINUTES }, workspaceId });
const running = (workspaceId: string) => db.job.count({ where: { workspaceId, status: "RUNNING" } });

/** Jobs inserted in bulk (enqueueJob's own path is what the queued-limit tests exercise). */
async function insertQueued(workspaceId: string, count: number, type = "sleep") {
  await db.$executeRawUnsafe(
    `INSERT INTO "Job" (id, "workspaceId", type, payload) SELECT gen_random_uuid(), $1, $2, '{"ms":600000}'::jsonb FROM generate_series(1, $3)`,
    workspaceId,
    type,
    count,
  );
}

// Jobs left by an earlier test (or file of this run) must not compete for these claims.
beforeEach(async () => {
  await db.job.updateMany({ where: { status: { in: ["QUEUED", "RUNNING"] } }, data: { status: "CANCELLED", lockedBy: null } });
});
afterAll(async () => db.$disconnect());

describe("fair claiming across workspaces", () => {
  it("a workspace's one job is claimed second, not behind the 40 another workspace queued first", async () => {
    const a = await ownerWorkspace();
    const b = await ownerWorkspace();
    for (let i = 0; i < 40; i++) await sleepJob(a.workspace.id);
    const late = await sleepJob(b.workspace.id);

    const first = await claimJob("fairness-worker", ["sleep"]);
    const second = await claimJob("fairness-worker", ["sleep"]);
    expect(first?.workspaceId).toBe(a.workspace.id);
    expect(second?.id).toBe(late.id);
    expect(await db.job.count({ where: { workspaceId: a.workspace.id, status: "QUEUED" } })).toBe(39);
  });

  it("with a real worker (2 slots), the second slot goes to the other workspace", async () => {
    const a = await ownerWorkspace();
    const b = await ownerWorkspace();
    for (let i = 0; i < 40; i++) await sleepJob(a.workspace.id);
    const late = await sleepJob(b.workspace.id);
    const worker = await spawnWorker({ WORKER_JOB_TYPES: "sleep", WORKER_CONCURRENCY: "2" });
    try {
      await waitFor(async () => (await db.job.findUniqueOrThrow({ where: { id: late.id } })).status === "RUNNING", 30_000, "B's job to run");
      expect(await running(a.workspace.id)).toBe(1);
    } finally {
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
    }
  }, 90_000);

  it("holds a workspace at WORKSPACE_MAX_RUNNING_JOBS under 16 concurrent claimers, round after round", async () => {
    const limit = env.WORKSPACE_MAX_RUNNING_JOBS;
    const a = await ownerWorkspace();
    const b = await ownerWorkspace();
    await insertQueued(a.workspace.id, 60);
    await insertQueued(b.workspace.id, 1);
    const system = await sleepJob(null);

    for (let round = 0; round < 5; round++) {
      const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => claimJob(`claimer-${i}`, ["sleep"])));
      expect(await running(a.workspace.id), `round ${round}`).toBe(limit);
      // The claims that A's limit turned away went to the other workspace and the system job (or to nothing).
      expect(claims.filter((c) => c?.workspaceId === a.workspace.id).length).toBeLessThanOrEqual(limit);
      // Two of A's jobs end; the next round may fill exactly those two slots again.
      const finished = await db.job.findMany({ where: { workspaceId: a.workspace.id, status: "RUNNING" }, take: 2, select: { id: true } });
      await db.job.updateMany({ where: { id: { in: finished.map((f) => f.id) } }, data: { status: "SUCCEEDED", lockedBy: null } });
    }
    expect(await running(b.workspace.id)).toBe(1);
    expect((await db.job.findUniqueOrThrow({ where: { id: system.id } })).status).toBe("RUNNING");
  });

  it("service jobs (deployments) neither count towards the limit nor wait for it", async () => {
    const a = await ownerWorkspace();
    await insertQueued(a.workspace.id, env.WORKSPACE_MAX_RUNNING_JOBS);
    for (let i = 0; i < env.WORKSPACE_MAX_RUNNING_JOBS; i++) expect(await claimJob("w", ["sleep"])).not.toBeNull();
    const [service] = await db.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO "Job" (id, "workspaceId", type, payload) VALUES (gen_random_uuid(), $1, 'serve_deployment', '{}'::jsonb) RETURNING id`,
      a.workspace.id,
    );
    await insertQueued(a.workspace.id, 1);
    const claimed = await claimJob("w", ["sleep", "serve_deployment"]);
    expect(claimed?.id).toBe(service!.id);
    expect(await claimJob("w", ["sleep", "serve_deployment"])).toBeNull();
  });
});

describe("queued jobs per workspace", () => {
  it(`refuses the job past WORKSPACE_MAX_QUEUED_JOBS with a clear error, also when enqueues race`, async () => {
    const limit = env.WORKSPACE_MAX_QUEUED_JOBS;
    const a = await ownerWorkspace();
    const b = await ownerWorkspace();
    await insertQueued(a.workspace.id, limit - 1, "noop");

    const racing = await Promise.allSettled(Array.from({ length: 5 }, () => enqueueJob({ type: "noop", payload: {}, workspaceId: a.workspace.id })));
    expect(racing.filter((r) => r.status === "fulfilled").length).toBe(1);
    const refused = racing.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "TOO_MANY_REQUESTS", field: "workspaceId" });
    expect(String(refused.reason.message)).toBe(
      `This workspace already has ${limit} queued jobs, its limit (WORKSPACE_MAX_QUEUED_JOBS): wait for them to run or cancel some, then try again.`,
    );
    expect(await db.job.count({ where: { workspaceId: a.workspace.id, status: "QUEUED" } })).toBe(limit);

    // Another workspace and system jobs are not affected; a job that starts running frees a place.
    await expect(enqueueJob({ type: "noop", payload: {}, workspaceId: b.workspace.id })).resolves.toHaveProperty("id");
    await expect(enqueueJob({ type: "noop", payload: {} })).resolves.toHaveProperty("id");
    const one = await db.job.findFirstOrThrow({ where: { workspaceId: a.workspace.id, status: "QUEUED" } });
    await db.job.update({ where: { id: one.id }, data: { status: "SUCCEEDED" } });
    await expect(enqueueJob({ type: "noop", payload: {}, workspaceId: a.workspace.id })).resolves.toHaveProperty("id");
  });

  it("the limit joins the caller's transaction: jobs enqueued in it count too", async () => {
    const limit = env.WORKSPACE_MAX_QUEUED_JOBS;
    const a = await ownerWorkspace();
    await insertQueued(a.workspace.id, limit - 2, "noop");
    await expect(
      db.$transaction(async (tx) => {
        for (let i = 0; i < 3; i++) await enqueueJob({ type: "noop", payload: {}, workspaceId: a.workspace.id }, tx);
      }),
    ).rejects.toThrow(`This workspace already has ${limit} queued jobs`);
    expect(await db.job.count({ where: { workspaceId: a.workspace.id, status: "QUEUED" } })).toBe(limit - 2);
  });
});

describe("job.enqueueTest (the queue test) through tRPC", () => {
  it("is for owners only", async () => {
    const owner = await createUser();
    const editor = await createUser();
    const viewer = await createUser();
    const workspace = await createWorkspaceWith([
      { userId: owner.id, role: "OWNER" },
      { userId: editor.id, role: "EDITOR" },
      { userId: viewer.id, role: "VIEWER" },
    ]);
    expect(await codeOf(callerFor(editor.id).job.enqueueTest({ workspaceId: workspace.id, seconds: 600 }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(viewer.id).job.enqueueTest({ workspaceId: workspace.id, seconds: 600 }))).toBe("FORBIDDEN");
    expect(await db.job.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect(await codeOf(callerFor(owner.id).job.enqueueTest({ workspaceId: workspace.id, seconds: 600 }))).toBe("OK");
  });

  it("runs one at a time per workspace: a second is refused while one is queued or running, also when clicks race", async () => {
    const { owner, workspace } = await ownerWorkspace();
    const other = await ownerWorkspace();
    const caller = callerFor(owner.id);
    const input = { workspaceId: workspace.id, seconds: 600 };

    const racing = await Promise.allSettled(Array.from({ length: 4 }, () => caller.job.enqueueTest(input)));
    expect(racing.filter((r) => r.status === "fulfilled").length).toBe(1);
    const first = (racing.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>).value;

    const refusedWhileQueued = await caller.job.enqueueTest(input).catch((e: unknown) => e);
    expect(refusedWhileQueued).toBeInstanceOf(TRPCError);
    expect(refusedWhileQueued).toMatchObject({ code: "CONFLICT", message: "A queue test is already queued in this workspace: wait for it to finish or cancel it first." });

    expect((await claimJob("w", ["sleep"]))?.id).toBe(first.id);
    await expect(caller.job.enqueueTest(input)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("already running") });
    // Another workspace is not held back by this one's test.
    expect(await codeOf(callerFor(other.owner.id).job.enqueueTest({ workspaceId: other.workspace.id, seconds: 600 }))).toBe("OK");

    await db.job.update({ where: { id: first.id }, data: { status: "SUCCEEDED", lockedBy: null } });
    expect(await codeOf(caller.job.enqueueTest(input))).toBe("OK");
    expect(await db.job.count({ where: { workspaceId: workspace.id, type: "sleep" } })).toBe(2);
  });
});
