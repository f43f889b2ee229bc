import { z } from "zod";
import { INDEX_NAME_PATTERN, INDEX_STORES } from "~/gpu-worker/indexing/types";
import { COLBERT_FORMATS } from "~/gpu-worker/indexing/vector-formats";
import { defineJob } from "../types";

/**
 * "Index a corpus": the documents of a dataset version encoded with a chosen model (the default base model, a
 * registered base model, a checkpoint, or the model a deployment serves) — dense, sparse and optionally ColBERT —
 * into export files per vector store (gpu-worker/indexing). Resumable: a retried attempt continues after the last
 * written batch, so attempts are cheap to allow.
 */
export const indexModelChoice = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("default") }).strict(),
  z.object({ kind: z.literal("base"), id: z.string().min(1) }).strict(),
  z.object({ kind: z.literal("checkpoint"), id: z.string().min(1) }).strict(),
  z.object({ kind: z.literal("deployment"), id: z.string().min(1) }).strict(),
]);

export const indexCorpusOptions = z
  .object({
    name: z.string().regex(INDEX_NAME_PATTERN, "use lower-case letters, digits and _, starting with a letter (at most 63)"),
    versionId: z.string().min(1),
    model: indexModelChoice,
    stores: z.array(z.enum(INDEX_STORES)).min(1).max(INDEX_STORES.length),
    sparse: z.boolean().default(true),
    /** null: no ColBERT vectors. dimensions: cut to the first N (default: the model's dim). */
    colbert: z.object({ dimensions: z.number().int().min(1).max(4096).optional(), format: z.enum(COLBERT_FORMATS).default("float") }).strict().nullable().default(null),
    /** An evaluation version on which the recall cost of each ColBERT option is measured (ColBERT only). */
    evalVersionId: z.string().min(1).nullable().default(null),
    maxLength: z.number().int().min(8).max(8192).default(512),
    batchSize: z.number().int().min(1).max(1024).default(64),
  })
  .strict();

export const indexCorpusPayload = indexCorpusOptions.extend({ workspaceId: z.string().min(1), userId: z.string().min(1) }).strict();

export const indexCorpusJob = defineJob({
  type: "index_corpus",
  payload: indexCorpusPayload,
  maxAttempts: 5,
  leaseSeconds: 120,
  requires: ["cpu"],
});
