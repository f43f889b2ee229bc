import { describe, expect, it } from "vitest";
import { estimateRun, resolveConfig, type TrainConfigInput } from "./schema";

/**
 * The new-run form's memory estimate counts a step's queries at the query length (issue 12: at BGE-M3's size a
 * LoRA step of 1 query ≤ 64 + 2 passages ≤ 512 was estimated at 13.1 GB against 7.9 GB measured, every
 * sequence counted at 512), AdamW's step temporaries (a unified full fine-tune measured 13.1 GiB against 9.5), and
 * GradCache holds one chunk of passages whatever the query length.
 */
const m3 = { parameters: 567_754_752, hidden: 1024, layers: 24, vocabSize: 250_002 };
const lora: Partial<TrainConfigInput> = { mode: "dense", lora: { r: 16, alpha: 32, dropout: 0.05, targetModules: ["query", "key", "value"] }, batchSize: 1, trainGroupSize: 2, maxPassageLength: 512, precision: "fp32" };
const activations = (over: Partial<TrainConfigInput>) => estimateRun(resolveConfig("custom", { ...lora, ...over }), m3, { groups: 32 }).breakdown.activations;

describe("memory estimate", () => {
  it("counts queries at the query length", () => {
    const short = activations({ maxQueryLength: 64 });
    const long = activations({ maxQueryLength: 512 });
    expect(long / short).toBeGreaterThan(1.4); // 3 sequences at 512 against 2 at 512 + one at 64
    expect(short).toBeGreaterThan(activations({ maxQueryLength: 64, trainGroupSize: 1 }) * 1.8);
  });

  it("counts AdamW's moments and its step's temporaries: 12 bytes a trainable parameter", () => {
    const full = estimateRun(resolveConfig("custom", { mode: "unified", lora: null, precision: "fp32" }), m3, { groups: 32 }).breakdown;
    expect(full.optimizer / full.weights).toBeCloseTo(3, 1);
  });

  it("with GradCache holds one chunk of passages, whatever the query length", () => {
    const gc = { subBatchSize: 2, batchSize: 4 };
    expect(activations({ ...gc, maxQueryLength: 64 })).toBe(activations({ ...gc, maxQueryLength: 512 }));
  });
});
