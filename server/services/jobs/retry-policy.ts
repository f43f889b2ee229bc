import type { Role } from "../../generated/prisma/enums";
import { roleAtLeast } from "../../auth/roles";
import { getJobDefinition } from "../../jobs/definitions";
import { PERMANENT_FAILURE_RESULT } from "../../jobs/lease";
import { QUEUE_TEST_TYPE } from "../../jobs/queue-test";

/** What decides whether a job may be retried from the job list. */
export interface RetryCandidate {
  status: string;
  type: string;
  payload: unknown;
  result: unknown;
}

/**
 * Why `role` may not put this job back in the queue, or null when it may. The job list shows Retry only where
 * this is null, and retryJob refuses with this message, so the button and the server never disagree. The queue
 * limits (queued jobs, one queue test at a time) depend on the rest of the queue and are checked by retryJob.
 */
export function retryRefusal(job: RetryCandidate, role: Role): string | null {
  if (job.status !== "FAILED" && job.status !== "CANCELLED") return "Only failed or cancelled jobs can be retried.";
  const definition = getJobDefinition(job.type);
  // The worker would fail it again at once, without running it.
  if (!definition || !definition.payload.safeParse(job.payload).success) {
    return "This job's type or settings are no longer valid, so it would fail again: start the work anew from its page.";
  }
  // A replica is the deployment's to restart; a retried old replica job would serve beside the deployment's own.
  if (definition.service) return "A deployment's replica is restarted from its deployment (Redeploy), not from the job list.";
  if (isPermanentFailure(job)) return "This job failed in a way that retrying cannot fix (see its error): fix the cause, then start it anew from its page.";
  // The queue test holds a worker slot and is for owners (job.enqueueTest); a retry is another run of it.
  if (job.type === QUEUE_TEST_TYPE && !roleAtLeast(role, "OWNER")) return "Only owners can run the queue test.";
  return null;
}

function isPermanentFailure(job: RetryCandidate): boolean {
  if (job.status !== "FAILED" || typeof job.result !== "object" || job.result === null) return false;
  return (job.result as { retryable?: unknown }).retryable === PERMANENT_FAILURE_RESULT.retryable;
}
