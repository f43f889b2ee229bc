import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectCapabilities } from "../capabilities";
import { servingDeviceFor } from "../deploy/serving-device";
import { createEmbeddingServer, type EmbeddingServer, type EmbeddingServerOptions } from "./server";

/**
 * Device selection on this CPU-only host, end to end: the worker's real capability detection picks onnxruntime's
 * CPU provider, and /health of a real served model says so (device, provider, precision). The PyTorch backend —
 * what a GPU without onnxruntime's CUDA provider serves with — is exercised on the CPU through the same server.
 */
const TINY = path.resolve(import.meta.dirname, "../inference/fixtures/tiny-model");
const servers: EmbeddingServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.close())));

async function serve(opts: Partial<EmbeddingServerOptions>) {
  const server = await createEmbeddingServer({ modelDir: TINY, host: "127.0.0.1", port: 0, threads: 1, authenticate: null, log: () => {}, ...opts });
  servers.push(server);
  return server.url;
}
const health = async (url: string) => (await fetch(`${url}/health`)).json() as Promise<Record<string, unknown>>;
async function dense(url: string): Promise<number[]> {
  const r = await fetch(`${url}/v1/encode`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: ["what is the liver"], return_dense: true }) });
  return ((await r.json()) as { data: { dense: number[] }[] }).data[0]!.dense;
}

const caps = await detectCapabilities();

describe.skipIf(caps.gpus.length > 0)("serving device on a host without a GPU", () => {
  it("detects no usable GPU and picks onnxruntime's CPU provider for every precision", async () => {
    expect(caps.ortProviders).toContain("cpu");
    expect(caps.ortProviders).not.toContain("cuda"); // listed by onnxruntime-node, but its library is not installed
    for (const p of ["fp32", "int8", "fp16"] as const) {
      expect(await servingDeviceFor(p)).toMatchObject({ backend: "onnxruntime", device: "cpu", provider: "cpu", precision: p });
    }
  });

  it("/health of a served model reports device cpu, provider cpu and the precision", async () => {
    const fp32 = await serve({ device: await servingDeviceFor("fp32") });
    expect(await health(fp32)).toMatchObject({ status: "ok", backend: "onnxruntime-worker", device: "cpu", provider: "cpu", precision: "fp32" });
    const int8 = await serve({ onnxFile: "onnx/model.int8.onnx", device: await servingDeviceFor("int8") });
    expect(await health(int8)).toMatchObject({ status: "ok", device: "cpu", provider: "cpu", precision: "int8" });
    // without a device option the server says what it runs by default: the CPU provider, precision from the graph
    expect(await health(await serve({ onnxFile: "onnx/model.int8.onnx" }))).toMatchObject({ device: "cpu", provider: "cpu", precision: "int8" });
  });

  it("the PyTorch backend (the GPU fallback, here on the CPU) serves the checkpoint and reports provider torch", async () => {
    const torch = await serve({ device: { backend: "torch", device: "cpu", provider: "torch", precision: "fp32", dtype: "fp32", reason: "test" } });
    expect(await health(torch)).toMatchObject({ status: "ok", backend: "torch", device: "cpu", provider: "torch", precision: "fp32", dtype: "fp32" });
    const ort = await serve({});
    const [a, b] = [await dense(torch), await dense(ort)];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThanOrEqual(1e-4);
  });
});
