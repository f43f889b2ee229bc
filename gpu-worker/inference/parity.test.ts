/**
 * Parity: onnxruntime encoder vs the PyTorch model (`python3 -m trainer encode`, through TorchBackend) on 100
 * mixed-length Chinese and English texts (fixtures/parity-texts.jsonl: samples of ../shared/data, MedQuAD
 * CC BY 4.0 and the MIT zh-medical-dialogue set), ≤ 1e-4 on dense, sparse weights and ColBERT vectors; and
 * input order restored under length sorting.
 *
 * Runs on the committed random-weight fixture (fixtures/tiny-model) always, and on the demo model
 * (.cache/demo-model, built by scripts/build-demo-model.sh) when it exists.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Encoded } from "./encoder";
import { M3Encoder } from "./encoder";
import { loadEncoder } from "./load";
import { TorchBackend } from "./torch-backend";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TEXTS: string[] = readFileSync(path.join(import.meta.dirname, "fixtures/parity-texts.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { text: string }).text);
const TOL = 1e-4;

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function compare(ort: Encoded, torch: Encoded) {
  expect(ort.lengths).toEqual(torch.lengths);
  const dense = maxDiff(ort.dense, torch.dense);
  let sparse = 0;
  let colbert = 0;
  ort.sparse!.forEach((w, i) => {
    const t = torch.sparse![i]!;
    for (const id of new Set([...w.keys(), ...t.keys()])) sparse = Math.max(sparse, Math.abs((w.get(id) ?? 0) - (t.get(id) ?? 0)));
  });
  ort.colbert!.forEach((c, i) => (colbert = Math.max(colbert, maxDiff(c, torch.colbert![i]!))));
  return { dense, sparse, colbert };
}

const models: Array<[string, string]> = [["tiny fixture", path.join(import.meta.dirname, "fixtures/tiny-model")]];
const demo = path.join(ROOT, ".cache/demo-model");
// .stamp is written when the builder finishes: a folder being rebuilt is not used.
if (existsSync(path.join(demo, "onnx/model.onnx")) && existsSync(path.join(demo, ".stamp"))) models.push(["demo model", demo]);

describe.each(models)("ORT vs PyTorch parity on the %s", (_label, dir) => {
  let ortEnc: M3Encoder;
  let torchEnc: M3Encoder;
  let maxLength = 0;
  beforeAll(async () => {
    const loaded = await loadEncoder(dir, { maxBatchTokens: 4096 });
    ortEnc = loaded.encoder;
    maxLength = Math.min(loaded.maxLength, 256); // long texts get truncated: reported, not silent
    torchEnc = new M3Encoder(ortEnc.tokenizer, await TorchBackend.start(dir), { maxBatchTokens: 4096 });
  });
  afterAll(async () => {
    await torchEnc?.backend.close();
    await ortEnc?.backend.close();
  });

  it("dense, sparse and ColBERT agree to 1e-4 on 100 mixed texts", async () => {
    const outputs = ["dense", "sparse", "colbert"] as const;
    const a = await ortEnc.encode(TEXTS, { maxLength, outputs });
    const b = await torchEnc.encode(TEXTS, { maxLength, outputs });
    const d = compare(a, b);
    console.log(`parity ${_label}: max |ORT − torch| dense ${d.dense.toExponential(2)}, sparse ${d.sparse.toExponential(2)}, colbert ${d.colbert.toExponential(2)}`);
    expect(d.dense).toBeLessThanOrEqual(TOL);
    expect(d.sparse).toBeLessThanOrEqual(TOL);
    expect(d.colbert).toBeLessThanOrEqual(TOL);
    expect(a.truncated.length).toBeGreaterThan(0); // long texts are reported, not silently cut
    expect(new Set(a.lengths).size).toBeGreaterThan(20); // mixed lengths
  });

  it("restores input order under length sorting (batched = one at a time)", async () => {
    const sample = TEXTS.slice(0, 24);
    const batched = await ortEnc.encode(sample, { maxLength, outputs: ["dense", "sparse"] });
    const dim = ortEnc.dim;
    for (const i of [0, 5, 11, 23]) {
      const single = await ortEnc.encode([sample[i]!], { maxLength, outputs: ["dense", "sparse"] });
      expect(maxDiff(batched.dense.subarray(i * dim, (i + 1) * dim), single.dense)).toBeLessThanOrEqual(TOL);
      expect([...batched.sparse![i]!.keys()].sort()).toEqual([...single.sparse![0]!.keys()].sort());
    }
    const reversed = await ortEnc.encode([...sample].reverse(), { maxLength, outputs: ["dense"] });
    expect(maxDiff(reversed.dense.subarray(0, dim), batched.dense.subarray(23 * dim, 24 * dim))).toBeLessThanOrEqual(TOL);
  });

  it.skipIf(!existsSync(path.join(dir, "spm.model")))("tokenizer.json in JS gives SentencePiece's ids (trainer sp-ids)", () => {
    const out = execFileSync("/usr/bin/python3", ["-m", "trainer", "sp-ids", "--model", dir], {
      cwd: path.join(ROOT, "gpu-worker"),
      input: TEXTS.map((t) => JSON.stringify(t)).join("\n") + "\n",
      encoding: "utf8",
    });
    const want = out.trim().split("\n").map((l) => (JSON.parse(l) as { ids: number[] }).ids);
    expect(want).toHaveLength(TEXTS.length);
    TEXTS.forEach((t, i) => expect(ortEnc.tokenizer.encode(t, 100_000).ids, `text ${i}`).toEqual(want[i]));
  });

  it("backends report health", async () => {
    expect((await ortEnc.backend.health()).ok).toBe(true);
    expect((await torchEnc.backend.health()).ok).toBe(true);
  });
});
