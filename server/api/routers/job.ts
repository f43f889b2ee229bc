import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { cancelJob, getJob, listJobs, retryJob } from "../../services/jobs/jobs";
import { enqueueJob } from "../../jobs/enqueue";

const jobInput = workspaceInput.extend({ jobId: z.string().uuid("Not a job id") });

export const jobRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({
      status: z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]).optional(),
      limit: z.number().int().min(1).max(500).default(100),
    }))
    .query(({ input }) => listJobs(input)),
  get: workspaceProcedure("VIEWER")
    .input(jobInput.extend({ afterLogId: z.string().regex(/^\d+$/).optional() }))
    .query(({ input }) => getJob({ ...input, afterLogId: input.afterLogId ? BigInt(input.afterLogId) : undefined })),
  cancel: workspaceProcedure("EDITOR").input(jobInput).mutation(({ input }) => cancelJob(input)),
  retry: workspaceProcedure("EDITOR").input(jobInput).mutation(({ input }) => retryJob(input)),
  /** A sleep job, to check that workers pick up work (Settings → Jobs → "Test the queue"). */
  enqueueTest: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ seconds: z.number().int().min(1).max(600).default(20) }))
    .mutation(({ input }) => enqueueJob({ type: "sleep", payload: { ms: input.seconds * 1000 }, workspaceId: input.workspaceId })),
});
