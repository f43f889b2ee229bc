import { z } from "zod";
import { defineJob } from "../types";

export const DATASET_KINDS = ["TRAINING", "EVALUATION", "DOCUMENTS", "RAG_LOG"] as const;
export const FILE_ROLES = ["pairs", "corpus", "queries", "qrels", "docs", "logs"] as const;

/** Column mapping for CSV/TSV/JSONL files that are not in FlagEmbedding's own layout. */
export const columnMapping = z
  .object({
    query: z.string().min(1).optional(),
    positive: z.string().min(1).optional(),
    negative: z.array(z.string().min(1)).optional(),
    group: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    title: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
  })
  .strict();
export type ColumnMapping = z.infer<typeof columnMapping>;

export const importFile = z.object({
  uploadId: z.string().min(1),
  role: z.enum(FILE_ROLES),
  mapping: columnMapping.optional(),
});

/**
 * Parses uploaded files into a new immutable dataset version, all or nothing: rows are
 * written inside one transaction that is rolled back when any row is refused, and the
 * job fails with `file:line: field: reason` lines.
 */
export const importDatasetJob = defineJob({
  type: "import_dataset",
  payload: z
    .object({
      workspaceId: z.string().min(1),
      userId: z.string().min(1),
      datasetName: z.string().trim().min(1).max(120),
      kind: z.enum(DATASET_KINDS),
      files: z.array(importFile).min(1).max(3),
      /** For kind EVALUATION with one pairs file: each pair's positive becomes a relevant document. */
      pairsAsEvaluation: z.boolean().default(false),
    })
    .strict(),
  maxAttempts: 2,
  leaseSeconds: 60,
  requires: ["cpu"],
});
