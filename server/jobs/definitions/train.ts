import { z } from "zod";
import { trainConfigSchema } from "../../services/experiments/schema";
import { defineJob } from "../types";

/**
 * One fine-tuning run: tokenise the training version, run the trainer (torchrun with several GPUs),
 * stream its events into MetricPoint rows, register checkpoints, export + evaluate each on the run's
 * evaluation version and mark the best. Re-running the job resumes from the run folder's last checkpoint.
 * `config` is the run's resolved config (the same zod schema as the new-run form and tRPC input).
 */
export const trainPayload = z
  .object({ workspaceId: z.string().min(1), experimentId: z.string().min(1), config: trainConfigSchema })
  .strict();

export type TrainPayload = z.infer<typeof trainPayload>;

export const trainJob = defineJob({
  type: "train",
  payload: trainPayload,
  maxAttempts: 3,
  leaseSeconds: 60,
  requires: ["torch"],
});
