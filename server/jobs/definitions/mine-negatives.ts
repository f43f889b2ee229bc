import { z } from "zod";
import { defineJob } from "../types";
import { artifactPath } from "./evaluate";

/**
 * Hard-negative mining (FlagEmbedding hn_mine semantics plus a false-negative guard) over a training file
 * in FlagEmbedding JSONL ({query, pos[], neg[]?}). Paths are relative to the artifact folder. The mined file
 * is written atomically to `output`; the job result holds counts.
 */
export const mineNegativesPayload = z
  .object({
    modelDir: artifactPath,
    input: artifactPath,
    output: artifactPath.refine((p) => p.endsWith(".jsonl"), { message: "must end with .jsonl" }),
    candidatePool: artifactPath.optional(),
    rangeStart: z.number().int().min(0).max(10_000).default(10),
    rangeEnd: z.number().int().min(1).max(10_000).default(210),
    negatives: z.number().int().min(1).max(1000).default(15),
    falseNegativeRatio: z.number().gt(0).max(1).nullable().default(0.95),
    teacherScores: z.boolean().default(false),
    queryInstruction: z.string().max(500).optional(),
    queryMaxLength: z.number().int().min(8).max(8192).default(128),
    passageMaxLength: z.number().int().min(8).max(8192).default(512),
    seed: z.number().int().default(42),
    backend: z.enum(["onnxruntime", "torch"]).default("onnxruntime"),
    precision: z.enum(["fp32", "int8"]).default("fp32"),
    threads: z.number().int().min(0).max(256).optional(),
  })
  .strict()
  .refine((p) => p.rangeEnd > p.rangeStart, { message: "rangeEnd must be greater than rangeStart", path: ["rangeEnd"] });

export type MineNegativesPayload = z.infer<typeof mineNegativesPayload>;

export const mineNegativesJob = defineJob({
  type: "mine_negatives",
  payload: mineNegativesPayload,
  maxAttempts: 2,
  leaseSeconds: 120,
  requires: ["cpu"],
});
