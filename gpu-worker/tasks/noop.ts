import { db } from "../../server/db";
import type { z } from "zod";
import type { noopJob } from "../../server/jobs/definitions/noop";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof noopJob.payload>;

/**
 * Test job. With `probe`, writes one QueueProbe row: the queue tests count these rows
 * (not log lines) to prove each job ran exactly once. This is the one handler that writes
 * to the database itself, because counting its own side effect is the point.
 */
export const runNoop: JobHandler<Payload> = async ({ jobId, workerId, payload }) => {
  if (payload.probe) await db.queueProbe.create({ data: { jobId, workerId } });
  return { ok: true };
};
