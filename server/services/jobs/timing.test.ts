import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { claimJob } from "../../jobs/claim";
import { completeJob, releaseJob } from "../../jobs/lease";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";

/**
 * Start, end and duration of a job (#20 item 3): job.list and job.get carry `startedAt` (the current attempt's
 * claim) and `finishedAt`, which the jobs list and the job page show. A queued job has not started, even after a
 * released attempt, so no duration is measured from a claim that no longer runs.
 */
afterAll(async () => db.$disconnect());

async function ownerWithJob() {
  const owner = await createUser();
  const workspace = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }]);
  // A type no worker of another test file runs: only this file's claims take it.
  const type = `timing-${randomBytes(4).toString("hex")}`;
  const job = await db.job.create({ data: { workspaceId: workspace.id, type, payload: {} }, select: { id: true } });
  const caller = callerFor(owner.id);
  const listed = async () => (await caller.job.list({ workspaceId: workspace.id })).find((j) => j.id === job.id)!;
  const got = () => caller.job.get({ workspaceId: workspace.id, jobId: job.id });
  return { type, jobId: job.id, listed, got };
}

describe("job timing through the job router", () => {
  it("has no start while queued, the claim time while running, and both ends once finished", async () => {
    const { type, jobId, listed, got } = await ownerWithJob();
    expect((await listed()).startedAt).toBeNull();
    expect((await got()).startedAt).toBeNull();

    const worker = `timing-worker-${randomBytes(3).toString("hex")}`;
    const claimed = await claimJob(worker, [type]);
    expect(claimed?.id).toBe(jobId);
    const { lockedAt } = await db.job.findUniqueOrThrow({ where: { id: jobId }, select: { lockedAt: true } });
    const running = await listed();
    expect(running.status).toBe("RUNNING");
    expect(running.startedAt).toEqual(lockedAt);
    expect(running.finishedAt).toBeNull();

    expect(await completeJob(jobId, worker, { ok: true })).toBe(true);
    for (const done of [await listed(), await got()]) {
      expect(done.status).toBe("SUCCEEDED");
      expect(done.startedAt).toEqual(lockedAt);
      expect(done.finishedAt).not.toBeNull();
      expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
    }
  });

  it("forgets a released attempt's start until the job is claimed again", async () => {
    const { type, jobId, listed } = await ownerWithJob();
    const worker = `timing-worker-${randomBytes(3).toString("hex")}`;
    expect((await claimJob(worker, [type]))?.id).toBe(jobId);
    expect((await listed()).startedAt).not.toBeNull();
    expect(await releaseJob(jobId, worker)).toBe(true);
    const requeued = await listed();
    expect(requeued.status).toBe("QUEUED");
    expect(requeued.startedAt).toBeNull();
  });
});
