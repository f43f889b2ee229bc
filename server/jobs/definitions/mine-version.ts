import { z } from "zod";
import { defineJob } from "../types";

/**
 * Hard negatives for a training version: its pairs go through the mining engine with the base
 * model (FlagEmbedding hn_mine semantics, false-negative guard) and come back as a new version
 * of the same dataset.
 */
export const mineVersionJob = defineJob({
  type: "mine_version_negatives",
  payload: z
    .object({
      workspaceId: z.string().min(1),
      userId: z.string().min(1),
      versionId: z.string().min(1),
      rangeStart: z.number().int().min(0).max(10_000).default(2),
      rangeEnd: z.number().int().min(1).max(10_000).default(200),
      negatives: z.number().int().min(1).max(100).default(7),
    })
    .strict(),
  maxAttempts: 2,
  leaseSeconds: 120,
  requires: ["cpu"],
});
