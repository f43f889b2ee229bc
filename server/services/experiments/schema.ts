import { z } from "zod";

/**
 * The training hyperparameters of a run: one zod schema shared by the new-run form, the tRPC
 * procedures and the `train` job payload. Field names follow the trainer's config.py (camelCase here,
 * snake_case on the wire to the trainer; see `toTrainerConfig`). Pure: imported by the browser too.
 */
export const loraSchema = z
  .object({
    r: z.number().int().min(1).max(256).default(8),
    alpha: z.number().positive().max(1024).default(16),
    dropout: z.number().min(0).max(0.9).default(0.05),
    targetModules: z.array(z.string().regex(/^[\w.]{1,64}$/)).min(1).max(16).default(["query", "key", "value", "dense"]),
  })
  .strict();

export const trainConfigSchema = z
  .object({
    mode: z.enum(["dense", "unified", "heads"]).default("unified"),
    lora: loraSchema.nullable().default(null),
    epochs: z.number().positive().max(100).default(1),
    maxSteps: z.number().int().min(0).max(10_000_000).default(0),
    batchSize: z.number().int().min(1).max(4096).default(4),
    gradientAccumulationSteps: z.number().int().min(1).max(1024).default(1),
    subBatchSize: z.number().int().min(0).max(4096).default(0),
    trainGroupSize: z.number().int().min(1).max(128).default(8),
    inBatchNegatives: z.boolean().default(true),
    crossDeviceNegatives: z.boolean().default(true),
    temperature: z.number().positive().max(10).default(0.02),
    selfDistill: z.boolean().default(true),
    sparseWeight: z.number().min(0).max(10).default(0.3),
    colbertWeight: z.number().min(0).max(10).default(1),
    learningRate: z.number().positive().max(1).default(1e-5),
    weightDecay: z.number().min(0).max(1).default(0.01),
    warmupRatio: z.number().min(0).max(1).default(0.1),
    maxGradNorm: z.number().min(0).max(1000).default(1),
    maxQueryLength: z.number().int().min(8).max(8192).default(64),
    maxPassageLength: z.number().int().min(8).max(8192).default(256),
    groupByLength: z.boolean().default(true),
    sameSourceWithinBatch: z.boolean().default(false),
    precision: z.enum(["auto", "fp32", "bf16", "fp16"]).default("auto"),
    gradientCheckpointing: z.boolean().default(false),
    device: z.enum(["auto", "cpu", "cuda"]).default("auto"),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    logSteps: z.number().int().min(1).max(100_000).default(1),
    saveSteps: z.number().int().min(0).max(10_000_000).default(0),
    keepLast: z.number().int().min(1).max(100).default(2),
    evalSteps: z.number().int().min(0).max(10_000_000).default(0),
    dropout: z.number().min(0).max(0.9).nullable().default(null),
    /** Not a trainer field: the retrieval modes each checkpoint is evaluated with. */
    evalModes: z.array(z.enum(["dense", "sparse", "colbert", "hybrid"])).min(1).max(4).default(["dense", "sparse", "colbert", "hybrid"]),
  })
  .strict();

/**
 * Forgetting guard: an optional general-domain evaluation version scored beside the run's domain evaluation
 * version, so a comparison shows domain gain and general loss together. It names a version id (a run column,
 * not a trainer field); the new-run form, tRPC input and the service share this field.
 */
export const generalEvalVersionField = z.string().min(1).nullable().optional();
/** A relative drop of general-domain nDCG@10 below the base beyond this share is flagged as forgetting. */
export const FORGETTING_THRESHOLD = 0.02;

/** Merge with base (LM-Cocktail): the tuned checkpoint's weight W in W·tuned + (1−W)·base. */
export const mergeWeightSchema = z.number().min(0, "between 0 and 1").max(1, "between 0 and 1");
export const DEFAULT_MERGE_WEIGHT = 0.5;

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * Overrides of a preset: the same fields with their defaults removed (zod 4 applies a default inside
 * `.optional()`, so `trainConfigSchema.partial()` would overwrite the preset with the defaults).
 */
export const trainConfigOverrides = z
  .object(Object.fromEntries(Object.entries(trainConfigSchema.shape).map(([k, v]) => [k, (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType)).optional()])))
  .strict() as unknown as z.ZodType<Partial<TrainConfigInput>, Partial<TrainConfigInput>>;

export const PRESETS = {
  lora_quick: {
    mode: "dense", lora: { r: 8, alpha: 16, dropout: 0.05, targetModules: ["query", "key", "value", "dense"] },
    epochs: 1, learningRate: 1e-4, batchSize: 8, trainGroupSize: 4, warmupRatio: 0.1, maxQueryLength: 64, maxPassageLength: 256,
  },
  full_unified: {
    mode: "unified", lora: null, epochs: 2, learningRate: 1e-5, batchSize: 4, trainGroupSize: 8, warmupRatio: 0.1,
    selfDistill: true, maxQueryLength: 64, maxPassageLength: 512, gradientCheckpointing: true,
  },
  heads_only: { mode: "heads", lora: null, epochs: 1, learningRate: 1e-3, batchSize: 16, trainGroupSize: 8, warmupRatio: 0.05 },
} as const satisfies Record<string, TrainConfigInput>;

export type PresetName = keyof typeof PRESETS | "custom";
export const presetNames = ["lora_quick", "full_unified", "heads_only", "custom"] as const;

/** A preset's values merged under user overrides, validated with defaults filled in. */
export function resolveConfig(preset: PresetName, overrides: Partial<TrainConfigInput> = {}): TrainConfig {
  const base = preset === "custom" ? {} : PRESETS[preset];
  return trainConfigSchema.parse({ ...base, ...overrides });
}

/** The trainer's config.py field names (snake_case), without model/output/data paths. */
export function toTrainerConfig(c: TrainConfig): Record<string, unknown> {
  const snake = (k: string) => k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === "evalModes") continue;
    if (k === "lora") {
      out.lora = v === null ? null : { r: c.lora!.r, alpha: c.lora!.alpha, dropout: c.lora!.dropout, target_modules: c.lora!.targetModules };
    } else if (k === "dropout") {
      if (v !== null) out.dropout = v;
    } else out[snake(k)] = v;
  }
  return out;
}

// Sweep grids (fields × values, cartesian product, capped): sweep.ts.

// ---- Estimate ------------------------------------------------------------------------------

export interface ModelSize {
  parameters: number;
  hidden: number;
  layers: number;
  vocabSize: number;
}

export interface Estimate {
  memoryGb: number;
  breakdown: { weights: number; gradients: number; optimizer: number; activations: number };
  steps: number;
  seconds: number;
  /** Message keys (experiments.advice.*) with their suggested change. */
  advice: Array<{ key: string; change: Partial<TrainConfig> }>;
}

/**
 * A rough GPU-memory and time estimate: fp32/bf16 weights, gradients and AdamW state for the trainable
 * share, and activations ∝ sequences × length × hidden × layers (÷ ~layers with gradient checkpointing).
 * Time assumes ~6·params·tokens FLOPs at `tflops` effective throughput. The advice applies the article's
 * out-of-memory list: smaller batch + accumulation, gradient checkpointing, bf16, shorter passages, GradCache, LoRA.
 */
export function estimateRun(c: TrainConfig, m: ModelSize, opts: { groups: number; gpuMemoryGb?: number; tflops?: number }): Estimate {
  const bytes = c.precision === "fp32" ? 4 : 2;
  const trainableShare = c.lora ? Math.min(1, (2 * c.lora.r * m.hidden * 4 * m.layers) / m.parameters) : c.mode === "heads" ? (m.hidden * m.hidden + m.hidden) / m.parameters : 1;
  const GB = 1024 ** 3;
  const weights = (m.parameters * 4) / GB;
  const gradients = (m.parameters * trainableShare * 4) / GB;
  // AdamW: two fp32 moments, plus the step's temporaries (foreach AdamW on CUDA takes sqrt of every second moment
  // at once: one more copy; at BGE-M3's size a full fine-tune measured 13.1 GiB peak against 9.5 estimated without it)
  const optimizer = (m.parameters * trainableShare * 12) / GB;
  const perToken = m.hidden * m.layers * 34 * bytes; // transformer activations per token (Korthikanti et al.) without attention maps
  const held = (seqs: number, len: number) => seqs * len * (perToken + 5 * 16 * len * bytes * m.layers); // + 16 heads' attention scores
  // Held at once: with GradCache one chunk of passages; else a step's queries (at the query length, not the
  // passage length: that counted 1 + 1 groups at 512 as 1.4x their memory) and passages.
  let activations = (c.subBatchSize > 0
    ? held(Math.min(c.subBatchSize, c.batchSize * c.trainGroupSize), c.maxPassageLength)
    : held(c.batchSize, c.maxQueryLength) + held(c.batchSize * c.trainGroupSize, c.maxPassageLength)) / GB;
  if (c.gradientCheckpointing) activations /= Math.max(1, m.layers / 2);
  if (c.mode === "heads") activations *= 0.05;
  const memoryGb = weights + gradients + optimizer + activations + 0.5;
  const perStep = c.batchSize * c.gradientAccumulationSteps;
  const steps = c.maxSteps > 0 ? c.maxSteps : Math.ceil((opts.groups * c.epochs) / perStep);
  const tokensPerStep = perStep * (c.maxQueryLength + c.trainGroupSize * c.maxPassageLength);
  const seconds = Math.ceil((6 * m.parameters * tokensPerStep * steps) / ((opts.tflops ?? 100) * 1e12));
  const advice: Estimate["advice"] = [];
  const budget = opts.gpuMemoryGb ?? 24;
  if (memoryGb > budget) {
    if (c.batchSize > 1) advice.push({ key: "halveBatch", change: { batchSize: Math.max(1, Math.floor(c.batchSize / 2)), gradientAccumulationSteps: c.gradientAccumulationSteps * 2 } });
    if (!c.gradientCheckpointing) advice.push({ key: "gradientCheckpointing", change: { gradientCheckpointing: true } });
    if (c.precision === "fp32" || c.precision === "auto") advice.push({ key: "bf16", change: { precision: "bf16" } });
    if (c.maxPassageLength > 256) advice.push({ key: "shorterPassages", change: { maxPassageLength: 256 } });
    if (c.subBatchSize === 0) advice.push({ key: "gradCache", change: { subBatchSize: 8 } });
    if (!c.lora && c.mode !== "heads") advice.push({ key: "lora", change: { lora: { r: 8, alpha: 16, dropout: 0.05, targetModules: ["query", "key", "value", "dense"] } } });
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    memoryGb: round(memoryGb),
    breakdown: { weights: round(weights), gradients: round(gradients), optimizer: round(optimizer), activations: round(activations) },
    steps,
    seconds,
    advice,
  };
}
