import { z } from "zod";
import { defineJob } from "../types";

/**
 * Evaluate one model, or two (base and tuned, compared with paired significance), on an evaluation set.
 * Every path is relative to the artifact folder (ARTIFACTS_DIR); `..` and absolute paths are refused.
 * The data is a dataset folder in BEIR or FlagEmbedding layout (with a split), or three explicit files.
 * The full report (per-query metrics, error analysis, comparison, projection) goes to `output` as JSON,
 * written atomically; the job result holds a summary.
 */
export const artifactPath = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p) && !p.split(/[\\/]/).includes(".."), {
    message: "must be a relative path inside the artifact folder",
  });

const label = z.string().regex(/^[\w.-]{1,64}$/, "letters, digits, _ . - only");

export const evaluatePayload = z
  .object({
    models: z.array(z.object({ label, dir: artifactPath }).strict()).min(1).max(2),
    data: z.union([
      z.object({ dir: artifactPath, split: z.string().regex(/^[\w.-]{1,64}$/).default("test") }).strict(),
      z.object({ corpus: artifactPath, queries: artifactPath, qrels: artifactPath }).strict(),
    ]),
    modes: z.array(z.enum(["dense", "sparse", "colbert", "hybrid", "rrf"])).min(1).max(5).default(["dense"]),
    queryMaxLength: z.number().int().min(8).max(8192).default(128),
    passageMaxLength: z.number().int().min(8).max(8192).default(512),
    glossary: z.array(z.string().min(1).max(200)).max(10_000).optional(),
    projection: z
      .object({ method: z.enum(["pca", "tsne", "umap"]), maxPoints: z.number().int().min(2).max(5000).default(500) })
      .strict()
      .optional(),
    output: artifactPath.refine((p) => p.endsWith(".json"), { message: "must end with .json" }),
    runDir: artifactPath.optional(),
    cacheDir: artifactPath.optional(),
    backend: z.enum(["onnxruntime", "torch"]).default("onnxruntime"),
    precision: z.enum(["fp32", "int8"]).default("fp32"),
    threads: z.number().int().min(0).max(256).optional(),
    seed: z.number().int().default(42),
  })
  .strict();

export type EvaluatePayload = z.infer<typeof evaluatePayload>;

export const evaluateJob = defineJob({
  type: "evaluate",
  payload: evaluatePayload,
  maxAttempts: 2,
  leaseSeconds: 120,
  requires: ["cpu"],
});
