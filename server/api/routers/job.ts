import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { cancelJob, getJob, listJobs, retryJob } from "../../services/jobs/jobs";
import { enqueueQueueTest } from "../../jobs/queue-test";

const jobInput = workspaceInput.extend({ jobId: z.string().uuid("Not a job id") });

export const jobRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({
      status: z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]).optional(),
      limit: z.number().int().min(1).max(500).default(100),
    }))
    .query(({ input, ctx }) => listJobs({ ...input, role: ctx.workspace.role })),
  get: workspaceProcedure("VIEWER")
    .input(jobInput.extend({ afterLogId: z.string().regex(/^\d+$/).optional() }))
    .query(({ input }) => getJob({ ...input, afterLogId: input.afterLogId ? BigInt(input.afterLogId) : undefined })),
  cancel: workspaceProcedure("EDITOR").input(jobInput).mutation(({ input }) => cancelJob(input)),
  retry: workspaceProcedure("EDITOR").input(jobInput).mutation(({ input, ctx }) => retryJob({ ...input, role: ctx.workspace.role })),
  /**
   * A sleep job, to check that workers pick up work (Settings → Jobs → "Test the queue"). Owners only and one at a
   * time per workspace: it holds a worker slot for up to 10 minutes and does nothing else.
   */
  enqueueTest: workspaceProcedure("OWNER")
    .input(workspaceInput.extend({ seconds: z.number().int().min(1).max(600).default(20) }))
    .mutation(({ input }) => enqueueQueueTest(input)),
});
