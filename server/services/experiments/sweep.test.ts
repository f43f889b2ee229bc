import { describe, expect, it } from "vitest";
import { resolveConfig } from "./schema";
import {
  applyCombo, expandGrid, gridSize, issueMessage, MAX_SWEEP_RUNS, parseSweepValues, sweepField, sweepGridSchema, SWEEP_FIELDS, SweepError, validateGrid,
} from "./sweep";

describe("sweep grid expansion", () => {
  it("is the cartesian product, last field fastest", () => {
    const grid = { learningRate: [1e-5, 2e-5], "lora.r": [8, 16, 32], mode: ["dense"] };
    const combos = expandGrid(grid);
    expect(gridSize(grid)).toBe(6);
    expect(combos).toHaveLength(6);
    expect(combos[0]).toEqual({ learningRate: 1e-5, "lora.r": 8, mode: "dense" });
    expect(combos[1]).toEqual({ learningRate: 1e-5, "lora.r": 16, mode: "dense" });
    expect(combos[5]).toEqual({ learningRate: 2e-5, "lora.r": 32, mode: "dense" });
    expect(new Set(combos.map((c) => JSON.stringify(c))).size).toBe(6);
  });

  it("applies LoRA fields inside the base's LoRA block, and refuses them when LoRA is off", () => {
    const base = resolveConfig("lora_quick", {});
    const cfg = applyCombo(base, { "lora.r": 32, temperature: 0.05 }) as { lora: { r: number; alpha: number }; temperature: number };
    expect(cfg.lora).toEqual({ ...base.lora, r: 32 });
    expect(cfg.temperature).toBe(0.05);
    expect(base.lora!.r).toBe(8); // the base is not mutated
    expect(() => applyCombo(resolveConfig("full_unified", {}), { "lora.r": 16 })).toThrow(SweepError);
    expect(() => applyCombo(resolveConfig("full_unified", {}), { "lora.r": 16 })).toThrow(/lora\.r: LoRA is off/);
  });
});

describe("sweep fields", () => {
  it("come from the shared schema: numbers, enums, booleans and LoRA's numbers, not arrays or bookkeeping", () => {
    const keys = SWEEP_FIELDS.map((f) => f.key);
    for (const k of ["learningRate", "batchSize", "temperature", "mode", "precision", "selfDistill", "lora.r", "lora.alpha", "lora.dropout"]) expect(keys).toContain(k);
    for (const k of ["evalModes", "lora", "lora.targetModules", "device", "logSteps"]) expect(keys).not.toContain(k);
    expect(sweepField("batchSize")).toMatchObject({ kind: "number", integer: true, range: "1 ≤ x ≤ 4096" });
    expect(sweepField("temperature")).toMatchObject({ kind: "number", integer: false, range: "0 < x ≤ 10" });
    expect(sweepField("mode")).toMatchObject({ kind: "enum", options: ["dense", "unified", "heads"] });
  });

  it("parses typed values per field type, naming the field on bad text", () => {
    expect(parseSweepValues("learningRate", " 1e-5, 2e-5 ,,5e-5")).toEqual({ values: [1e-5, 2e-5, 5e-5], issues: [] });
    expect(parseSweepValues("selfDistill", "true,false").values).toEqual([true, false]);
    const bad = parseSweepValues("batchSize", "8, sixteen");
    expect(bad.values).toEqual([8]);
    expect(bad.issues.map(issueMessage)).toEqual(['batchSize: "sixteen" is not a number.']);
    expect(parseSweepValues("nope", "1").issues.map(issueMessage)).toEqual(["nope: not a field that can be swept."]);
  });
});

describe("sweep validation", () => {
  it("accepts a grid at the cap and refuses one past it with the run count", () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(validateGrid({ seed: values(4), batchSize: values(8) })).toEqual([]);
    expect(MAX_SWEEP_RUNS).toBe(32);
    const over = validateGrid({ seed: values(3), batchSize: values(11) });
    expect(over.map(issueMessage)).toEqual(["This grid is 33 runs; a sweep is capped at 32. Remove values or fields."]);
  });

  it("names the field of every bad value", () => {
    const issues = validateGrid({ learningRate: [1e-5, 2], batchSize: [4, 4.5, 4], mode: ["sparse"], "lora.r": [0], colour: [1], temperature: [] });
    expect(issues.map(issueMessage)).toEqual([
      "Sweep at most 5 fields at once.",
      "learningRate: 2 is out of range (0 < x ≤ 1).",
      "batchSize: 4.5 must be a whole number.",
      "batchSize: 4 is listed twice.",
      'mode: "sparse" is not one of dense, unified, heads.',
      "lora.r: 0 is out of range (1 ≤ x ≤ 256).",
      "colour: not a field that can be swept.",
      "temperature: give at least one value.",
    ]);
    expect(validateGrid({}).map((i) => i.kind)).toEqual(["noFields"]);
  });

  it("the tRPC input schema reports each issue at its field", () => {
    const r = sweepGridSchema.safeParse({ learningRate: [5], batchSize: [4] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["learningRate", "learningRate: 5 is out of range (0 < x ≤ 1)."]]);
    expect(sweepGridSchema.safeParse({ learningRate: [1e-5, 2e-5], "lora.r": [8, 16] }).success).toBe(true);
  });
});
