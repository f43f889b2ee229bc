import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ModelFolderError } from "./errors";
import { loadEncoder } from "./load";

const FIXTURE = path.join(import.meta.dirname, "fixtures/tiny-model");
const tmp = mkdtempSync(path.join(tmpdir(), "m3-model-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("model folder errors name the missing file", () => {
  it("no folder", async () => {
    await expect(loadEncoder(path.join(tmp, "nope"))).rejects.toThrow(/nope does not exist/);
  });
  it("no ONNX export", async () => {
    const dir = path.join(tmp, "no-onnx");
    cpSync(FIXTURE, dir, { recursive: true });
    rmSync(path.join(dir, "onnx"), { recursive: true });
    const err = await loadEncoder(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFolderError);
    expect((err as ModelFolderError).file).toBe(path.join(dir, "onnx/model.onnx"));
    expect((err as Error).message).toMatch(/no ONNX export: .*onnx\/model\.onnx is missing/);
  });
  it("int8 requested but not quantized: the hint names the quantizer", async () => {
    const dir = path.join(tmp, "no-int8");
    cpSync(FIXTURE, dir, { recursive: true });
    rmSync(path.join(dir, "onnx/model.int8.onnx"));
    await expect(loadEncoder(dir, { precision: "int8" })).rejects.toThrow(/model\.int8\.onnx is missing \(run `python3 gpu-worker\/inference\/quantize\/quantize_int8\.py/);
  });
  it("int8 graph loads and agrees with fp32 (dense cosine > 0.999)", async () => {
    const a = (await loadEncoder(FIXTURE)).encoder;
    const b = (await loadEncoder(FIXTURE, { precision: "int8" })).encoder;
    const texts = ["What is BGE M3?", "胰岛素剂量调整的临床指南", "liver pain and treatment"];
    const [x, y] = [await a.encode(texts, { maxLength: 64 }), await b.encode(texts, { maxLength: 64 })];
    for (let i = 0; i < texts.length; i++) {
      let c = 0;
      for (let j = 0; j < a.dim; j++) c += x.dense[i * a.dim + j]! * y.dense[i * a.dim + j]!;
      expect(c).toBeGreaterThan(0.999);
    }
  });
  it("no tokenizer", async () => {
    const dir = path.join(tmp, "no-tok");
    cpSync(FIXTURE, dir, { recursive: true });
    rmSync(path.join(dir, "tokenizer.json"));
    await expect(loadEncoder(dir)).rejects.toThrow(/no tokenizer: .*tokenizer\.json is missing/);
  });
  it("truncation is reported with the full length", async () => {
    const { encoder } = await loadEncoder(FIXTURE);
    const r = await encoder.encode(["a b c d e f g h i j", "ok"], { maxLength: 6 });
    expect(r.lengths[0]).toBe(6);
    expect(r.truncated).toEqual([{ index: 0, fullLength: expect.any(Number) }]);
    expect(r.truncated[0]!.fullLength).toBeGreaterThan(6);
    expect(encoder.tokenizer.encode("a b c d e f g h i j", 6).ids.at(-1)).toBe(encoder.tokenizer.eosId);
  });
});
