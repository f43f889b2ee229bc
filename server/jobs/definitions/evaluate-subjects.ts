import { z } from "zod";
import { defineJob } from "../types";

/**
 * Evaluates registered subjects (base models, checkpoints) on an evaluation dataset version and stores
 * per-mode results (means, per-query values, error analysis, projection) for the compare page.
 */
export const evaluateSubjectsPayload = z
  .object({ workspaceId: z.string().min(1), evaluationId: z.string().min(1) })
  .strict();

export const evaluateSubjectsJob = defineJob({
  type: "evaluate_subjects",
  payload: evaluateSubjectsPayload,
  maxAttempts: 2,
  leaseSeconds: 60,
  requires: ["cpu"],
});
