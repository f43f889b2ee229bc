import { z } from "zod";
import { mergeWeightSchema } from "../../services/experiments/schema";
import { defineJob } from "../types";

/**
 * Merge with base (LM-Cocktail): `python3 -m trainer merge` averages a run checkpoint with the run's base model,
 * W·tuned + (1−W)·base on the encoder and both heads; the result is registered as a new Checkpoint with lineage
 * (parents: the base model and the source checkpoint, and W), then evaluated on the run's evaluation version and
 * its general-domain version (queued `evaluate_subjects` jobs). A retry reuses a merge already registered.
 */
export const mergeCheckpointPayload = z
  .object({ workspaceId: z.string().min(1), checkpointId: z.string().min(1), weight: mergeWeightSchema, userId: z.string().min(1) })
  .strict();

export type MergeCheckpointPayload = z.infer<typeof mergeCheckpointPayload>;

export const mergeCheckpointJob = defineJob({
  type: "merge_checkpoint",
  payload: mergeCheckpointPayload,
  maxAttempts: 2,
  leaseSeconds: 60,
  requires: ["torch"],
});
