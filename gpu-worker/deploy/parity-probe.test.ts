import { copyFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddingServer, type EmbeddingServer } from "../serve/server";
import { judgeParity, parityProbe } from "./parity-probe";
import { exportOnnx, tempRoot, tinyCheckpoint } from "./testing/tiny-checkpoint";

/**
 * The deployment's parity probe holds the served outputs to PyTorch's outputs of the checkpoint folder (trainer
 * probe), not to the served graph itself: a graph exported from other weights, dropped into the folder, must fail.
 */
const tmp = tempRoot("m3-parity-probe-");
let checkpoint: string;
const servers: EmbeddingServer[] = [];

async function serve(onnxFile: string): Promise<string> {
  const server = await createEmbeddingServer({ modelDir: checkpoint, onnxFile, host: "127.0.0.1", port: 0, threads: 1, authenticate: null, log: () => {} });
  servers.push(server);
  return server.url;
}

beforeAll(() => {
  checkpoint = tinyCheckpoint(tmp.dir, "ckpt");
  exportOnnx(checkpoint);
  const other = tinyCheckpoint(tmp.dir, "other", { perturb: 0.02 });
  exportOnnx(other);
  copyFileSync(path.join(other, "onnx/model.onnx"), path.join(checkpoint, "onnx/other-weights.onnx"));
}, 300_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  tmp.remove();
});

describe("parity probe against PyTorch", () => {
  it("passes the checkpoint's own graph at fp32 (≤ 1e-4 on dense, sparse and ColBERT)", async () => {
    const parity = await parityProbe(await serve("onnx/model.onnx"), checkpoint, null);
    for (const o of Object.values(parity.outputs)) expect(o.maxAbs).toBeLessThanOrEqual(1e-4);
    expect(parity.minCosine).toBeGreaterThan(0.9999);
    expect(judgeParity("fp32", parity)).toEqual({ passed: true, message: `parity ${parity.maxAbs.toExponential(1)}` });
  });

  it("fails a graph exported from other weights, though that graph agrees with itself", async () => {
    const parity = await parityProbe(await serve("onnx/other-weights.onnx"), checkpoint, null);
    expect(parity.maxAbs).toBeGreaterThan(1e-3);
    const verdict = judgeParity("fp32", parity);
    expect(verdict.passed).toBe(false);
    expect(verdict.message).toMatch(/^parity probe failed: max \|served − PyTorch\| .* > 0\.0001/);
  });

  it("judges quantised precisions by cosine: int8 ≥ 0.99, fp16 ≥ 0.999", () => {
    const at = (c: number) => ({ maxAbs: 0.01, minCosine: c, outputs: { dense: { maxAbs: 0.01, minCosine: c }, sparse: { maxAbs: 0, minCosine: 1 }, colbert: { maxAbs: 0, minCosine: 1 } } });
    expect(judgeParity("int8", at(0.995)).passed).toBe(true);
    expect(judgeParity("fp16", at(0.995))).toEqual({ passed: false, message: "parity probe failed: cosine 0.99500 < 0.999 vs PyTorch (fp16, dense)" });
    expect(judgeParity("fp16", at(0.9995))).toEqual({ passed: true, message: "parity cosine 0.99950 (fp16)" });
  });
});
