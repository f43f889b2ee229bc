import { describe, expect, it } from "vitest";
import { randomizationTest } from "../../lib/metrics/significance";
import { mulberry32 } from "../../lib/metrics/rng";
import { fastRandomizationTest } from "./compare";
import { estimateRun, PRESETS, resolveConfig, toTrainerConfig, trainConfigOverrides, trainConfigSchema } from "./schema";
import { expandGrid } from "./sweep";

describe("run config schema", () => {
  it("presets resolve to valid configs and map to the trainer's snake_case fields", () => {
    for (const p of Object.keys(PRESETS) as Array<keyof typeof PRESETS>) expect(trainConfigSchema.safeParse(resolveConfig(p)).success).toBe(true);
    const t = toTrainerConfig(resolveConfig("lora_quick", { maxSteps: 10 }));
    expect(t).toMatchObject({ mode: "dense", max_steps: 10, learning_rate: 1e-4, lora: { r: 8, target_modules: ["query", "key", "value", "dense"] } });
    expect(t).not.toHaveProperty("eval_modes");
    expect(t).not.toHaveProperty("dropout");
    expect(() => resolveConfig("custom", { batchSize: 0 })).toThrow();
    // Overrides keep the preset's values for the fields they leave out.
    const o = trainConfigOverrides.parse({ maxSteps: 5 });
    expect(o).toEqual({ maxSteps: 5 });
    expect(resolveConfig("lora_quick", o)).toMatchObject({ mode: "dense", maxSteps: 5, learningRate: 1e-4 });
    expect(trainConfigOverrides.safeParse({ bogus: 1 }).success).toBe(false);
  });

  it("a grid expands to every combination", () => {
    expect(expandGrid({ learningRate: [1e-5, 2e-5], batchSize: [4, 8, 16] })).toHaveLength(6);
  });

  it("the estimate suggests the article's OOM remedies when the model does not fit", () => {
    const m3 = { parameters: 567_754_752, hidden: 1024, layers: 24, vocabSize: 250_002 };
    const big = estimateRun(resolveConfig("full_unified", { batchSize: 32, maxPassageLength: 1024, gradientCheckpointing: false, precision: "fp32" }), m3, { groups: 10_000, gpuMemoryGb: 24 });
    expect(big.memoryGb).toBeGreaterThan(24);
    expect(big.advice.map((a) => a.key)).toEqual(expect.arrayContaining(["halveBatch", "gradientCheckpointing", "bf16", "shorterPassages", "gradCache", "lora"]));
    const small = estimateRun(resolveConfig("lora_quick"), m3, { groups: 1000, gpuMemoryGb: 80 });
    expect(small.advice).toEqual([]);
    expect(small.steps).toBe(Math.ceil(1000 / 8));
  });
});

describe("fast randomization test", () => {
  it("agrees with the reference sign-flip test, Monte Carlo and normal-limit paths", () => {
    const r = mulberry32(7);
    for (const [n, shift] of [[300, 0.05], [800, 0.03], [1500, 0.02], [3000, 0.005]] as const) {
      const a = Array.from({ length: n }, () => r());
      const b = a.map((x) => x + (r() - 0.5) * 0.8 + shift);
      expect(Math.abs(fastRandomizationTest(a, b, 4000) - randomizationTest(a, b, { permutations: 4000 }))).toBeLessThan(0.02);
    }
    expect(fastRandomizationTest([0.5, 0.5], [0.5, 0.5], 100)).toBe(1);
  });
});
