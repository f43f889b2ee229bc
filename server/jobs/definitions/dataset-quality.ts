import { z } from "zod";
import { defineJob } from "../types";

/** Computes a dataset version's quality report (lengths, duplicates, pos/neg overlap, leakage, score). */
export const datasetQualityJob = defineJob({
  type: "dataset_quality",
  payload: z
    .object({
      workspaceId: z.string().min(1),
      versionId: z.string().min(1),
      /** Check leakage against this evaluation version (default: the version's own test split, if any). */
      evaluationVersionId: z.string().min(1).optional(),
      /** A tokenizer.json for token lengths (default: the default base model's, else characters). */
      tokenizerPath: z.string().min(1).optional(),
    })
    .strict(),
  maxAttempts: 2,
  leaseSeconds: 60,
  requires: ["cpu"],
});
