import { Prisma } from "../../generated/prisma/client";
import type { JobStatus, Role } from "../../generated/prisma/enums";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { assertQueueHasRoom } from "../../jobs/enqueue";
import { CANCEL_CHANNEL, JOB_CHANNEL, notify } from "../../jobs/executor";
import { assertNoActiveQueueTest, QUEUE_TEST_TYPE } from "../../jobs/queue-test";
import { lockWorkspaceQueue } from "../../jobs/workspace-queue-lock";
import { retryRefusal } from "./retry-policy";

const jobSummary = {
  id: true, type: true, status: true, priority: true, attempts: true, maxAttempts: true, progress: true,
  progressMessage: true, lastError: true, lockedBy: true, lockedAt: true, createdAt: true, updatedAt: true, finishedAt: true, runAt: true,
} as const;

/**
 * When the job's current (or last) attempt started: its claim time. A queued job has not started, even when an
 * earlier attempt did (a requeue after a lost lease, a retry): the list then says "not started" instead of
 * measuring a duration from a claim that no longer runs.
 */
const withStart = <J extends { status: JobStatus; lockedAt: Date | null }>({ lockedAt, ...job }: J) =>
  ({ ...job, startedAt: job.status === "QUEUED" ? null : lockedAt });

/** The workspace's jobs, newest first, each with whether `role` may retry it (the job list's Retry button). */
export async function listJobs({ workspaceId, status, limit, role }: { workspaceId: string; status?: JobStatus; limit: number; role: Role }) {
  const jobs = await db.job.findMany({
    where: { workspaceId, ...(status ? { status } : {}) },
    select: { ...jobSummary, payload: true, result: true },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return jobs.map(({ payload, result, ...job }) => ({ ...withStart(job), retryable: retryRefusal({ ...job, payload, result }, role) === null }));
}

export async function getJob({ workspaceId, jobId, afterLogId }: { workspaceId: string; jobId: string; afterLogId?: bigint }) {
  const job = await db.job.findFirst({ where: { id: jobId, workspaceId }, select: { ...jobSummary, payload: true, result: true } });
  if (!job) throw new AppError("NOT_FOUND", "Job not found", "jobId");
  const logs = await db.jobLog.findMany({
    where: { jobId, ...(afterLogId !== undefined ? { id: { gt: afterLogId } } : {}) },
    orderBy: { id: "asc" },
    take: 500,
  });
  return { ...withStart(job), logs: logs.map((l) => ({ id: l.id.toString(), level: l.level, message: l.message, createdAt: l.createdAt })) };
}

/**
 * A queued job is cancelled at once. A running one gets cancelRequested plus a NOTIFY that
 * its worker turns into an AbortSignal; the worker writes CANCELLED when the handler stops.
 */
export async function cancelJob({ workspaceId, jobId }: { workspaceId: string; jobId: string }) {
  return db.$transaction(async (tx) => {
    const job = await tx.job.findFirst({ where: { id: jobId, workspaceId }, select: { status: true } });
    if (!job) throw new AppError("NOT_FOUND", "Job not found", "jobId");
    if (job.status === "QUEUED") {
      await tx.job.update({ where: { id: jobId }, data: { status: "CANCELLED", finishedAt: new Date(), lastError: "cancelled" } });
      return { status: "CANCELLED" as const };
    }
    if (job.status === "RUNNING") {
      await tx.job.update({ where: { id: jobId }, data: { cancelRequested: true } });
      await notify(tx, CANCEL_CHANNEL, jobId);
      return { status: "CANCELLING" as const };
    }
    throw new AppError("CONFLICT", `A ${job.status.toLowerCase()} job cannot be cancelled.`, "jobId");
  });
}

/**
 * Puts a failed or cancelled job back in the queue with a fresh set of attempts. A retry is a new queued job as
 * far as the workspace's limits go: it is refused past WORKSPACE_MAX_QUEUED_JOBS and, for the queue test, while
 * another one is active, under the same queue lock as enqueueJob; and only where retryRefusal allows it.
 */
export async function retryJob({ workspaceId, jobId, role }: { workspaceId: string; jobId: string; role: Role }) {
  return db.$transaction(async (tx) => {
    await lockWorkspaceQueue(tx, workspaceId);
    const job = await tx.job.findFirst({ where: { id: jobId, workspaceId }, select: { status: true, type: true, payload: true, result: true } });
    if (!job) throw new AppError("NOT_FOUND", "Job not found", "jobId");
    const refusal = retryRefusal(job, role);
    if (refusal) throw new AppError("CONFLICT", refusal, "jobId");
    await assertQueueHasRoom(tx, workspaceId);
    if (job.type === QUEUE_TEST_TYPE) await assertNoActiveQueueTest(tx, workspaceId, "jobId");
    await tx.job.update({
      where: { id: jobId },
      data: {
        status: "QUEUED", attempts: 0, cancelRequested: false, runAt: new Date(), finishedAt: null, progress: 0, progressMessage: null,
        lastError: null, result: Prisma.DbNull,
      },
    });
    await notify(tx, JOB_CHANNEL, job.type);
    return { status: "QUEUED" as const };
  });
}
