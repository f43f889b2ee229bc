import { z } from "zod";
import { COLBERT_FORMATS, SPARSE_FORMATS } from "../indexing/vector-formats";

/**
 * Request bodies of the serving API (zod). Unknown fields are ignored, as OpenAI does (clients send `user` etc.).
 * `input` accepts a string, an array of strings, or token ids of THIS model's tokenizer (one array or an array of
 * arrays; `<s> … </s>` are added when absent).
 */
const tokenIds = z.array(z.number().int().nonnegative()).min(1);
export const inputSchema = z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]);

export const embeddingsRequest = z.object({
  input: inputSchema,
  model: z.string().optional(),
  encoding_format: z.enum(["float", "base64"]).default("float"),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
  /** Extension: false → 400 instead of truncating inputs longer than the model's max length. */
  truncate: z.boolean().default(true),
});

export const encodeRequest = z.object({
  input: inputSchema,
  model: z.string().optional(),
  return_dense: z.boolean().default(true),
  return_sparse: z.boolean().default(false),
  return_colbert: z.boolean().default(false),
  max_length: z.number().int().min(2).optional(),
  dimensions: z.number().int().positive().optional(),
  truncate: z.boolean().default(true),
  /**
   * tokens_and_ids: `sparse` token string → weight plus `sparse_ids` id → weight; tokens / ids: only that map as
   * `sparse`; indices_values: `sparse` = {indices (ascending ids), values}.
   */
  sparse_format: z.enum(SPARSE_FORMATS).default("tokens_and_ids"),
  /** ColBERT vectors cut to their first N components, re-normalised. */
  colbert_dimensions: z.number().int().positive().optional(),
  /** int8: `colbert` rows of integers in [-127, 127] and `colbert_scales` (one per row, x ≈ q · scale). */
  colbert_format: z.enum(COLBERT_FORMATS).default("float"),
});

export const scoreRequest = z.object({
  /** [[query, passage], ...] (FlagEmbedding compute_score's sentence_pairs); a single pair is accepted too. */
  pairs: z.union([z.tuple([z.string(), z.string()]), z.array(z.tuple([z.string(), z.string()])).min(1)]),
  model: z.string().optional(),
  /** weights_for_different_modes: [dense, sparse, colbert]. */
  weights: z.tuple([z.number().nonnegative(), z.number().nonnegative(), z.number().nonnegative()]).default([0.4, 0.2, 0.4]),
  max_query_length: z.number().int().min(2).optional(),
  max_passage_length: z.number().int().min(2).optional(),
  truncate: z.boolean().default(true),
});

const docId = z.union([z.string().min(1), z.number().int()]);

/** RAG log line (docs/CONTRACTS.md / server/lib/parsing/raglog.ts). */
export const feedbackRequest = z
  .object({
    query: z.string().trim().min(1),
    retrieved_docs: z
      .array(z.object({ doc_id: docId, content: z.string().trim().min(1), rank: z.number().int().min(1) }))
      .min(1),
    user_feedback: z.object({ helpful_docs: z.array(docId) }),
  })
  .superRefine((v, ctx) => {
    const ids = new Set<string>();
    v.retrieved_docs.forEach((d, i) => {
      const k = String(d.doc_id);
      if (ids.has(k)) ctx.addIssue({ code: "custom", path: ["retrieved_docs", i, "doc_id"], message: `duplicate doc_id ${JSON.stringify(d.doc_id)}` });
      ids.add(k);
    });
    v.user_feedback.helpful_docs.forEach((h, i) => {
      if (!ids.has(String(h)))
        ctx.addIssue({ code: "custom", path: ["user_feedback", "helpful_docs", i], message: `doc_id ${JSON.stringify(h)} is not among retrieved_docs` });
    });
  });

export type EmbeddingsRequest = z.infer<typeof embeddingsRequest>;
export type EncodeRequest = z.infer<typeof encodeRequest>;
export type ScoreRequest = z.infer<typeof scoreRequest>;
export type FeedbackBody = z.infer<typeof feedbackRequest>;
