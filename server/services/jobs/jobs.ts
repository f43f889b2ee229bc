import type { JobStatus } from "../../generated/prisma/enums";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { CANCEL_CHANNEL, JOB_CHANNEL, notify } from "../../jobs/executor";

const jobSummary = {
  id: true, type: true, status: true, priority: true, attempts: true, maxAttempts: true, progress: true,
  progressMessage: true, lastError: true, lockedBy: true, createdAt: true, updatedAt: true, finishedAt: true, runAt: true,
} as const;

export async function listJobs({ workspaceId, status, limit }: { workspaceId: string; status?: JobStatus; limit: number }) {
  return db.job.findMany({
    where: { workspaceId, ...(status ? { status } : {}) },
    select: jobSummary,
    orderBy: { createdAt: "desc" },
    take: limit,
  });
}

export async function getJob({ workspaceId, jobId, afterLogId }: { workspaceId: string; jobId: string; afterLogId?: bigint }) {
  const job = await db.job.findFirst({ where: { id: jobId, workspaceId }, select: { ...jobSummary, payload: true, result: true } });
  if (!job) throw new AppError("NOT_FOUND", "Job not found", "jobId");
  const logs = await db.jobLog.findMany({
    where: { jobId, ...(afterLogId !== undefined ? { id: { gt: afterLogId } } : {}) },
    orderBy: { id: "asc" },
    take: 500,
  });
  return { ...job, logs: logs.map((l) => ({ id: l.id.toString(), level: l.level, message: l.message, createdAt: l.createdAt })) };
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

/** Puts a failed or cancelled job back in the queue with a fresh set of attempts. */
export async function retryJob({ workspaceId, jobId }: { workspaceId: string; jobId: string }) {
  return db.$transaction(async (tx) => {
    const job = await tx.job.findFirst({ where: { id: jobId, workspaceId }, select: { status: true, type: true } });
    if (!job) throw new AppError("NOT_FOUND", "Job not found", "jobId");
    if (job.status !== "FAILED" && job.status !== "CANCELLED") {
      throw new AppError("CONFLICT", "Only failed or cancelled jobs can be retried.", "jobId");
    }
    await tx.job.update({
      where: { id: jobId },
      data: { status: "QUEUED", attempts: 0, cancelRequested: false, runAt: new Date(), finishedAt: null, progress: 0, progressMessage: null, lastError: null },
    });
    await notify(tx, JOB_CHANNEL, job.type);
    return { status: "QUEUED" as const };
  });
}
