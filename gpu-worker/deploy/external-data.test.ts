import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarStream } from "../../server/http/checkpoint-tar";
import { derivedModelFolder } from "../../server/storage/derived";
import { OrtBackend } from "../inference/ort-backend";
import { writeBundle, sha256File } from "../serve/bundle";
import { createEmbeddingServer, type EmbeddingServer } from "../serve/server";
import { judgeParity, parityProbe } from "./parity-probe";
import { ensurePrecisionGraph } from "./precision-graph";
import { exportOnnx, tempRoot, tinyCheckpoint } from "./testing/tiny-checkpoint";

/**
 * The ONNX external-data path (what a BGE-M3-sized graph over protobuf's 2 GiB needs) on the small tiny model
 * forced to external data: export, onnxruntime-node, parity against PyTorch, int8/fp16 graphs made from it, the
 * serving bundle and the checkpoint download all carry onnx/model.onnx.data.
 */
const tmp = tempRoot("m3-external-data-");
let ckpt: string;
const servers: EmbeddingServer[] = [];
const forced = process.env.M3_ONNX_EXTERNAL_DATA;

async function probe(onnxFile: string) {
  const server = await createEmbeddingServer({ modelDir: ckpt, onnxFile, host: "127.0.0.1", port: 0, threads: 1, authenticate: null, log: () => {} });
  servers.push(server);
  return parityProbe(server.url, ckpt, null);
}

beforeAll(() => {
  // the fp16 export (`export --fp16`, run by ensurePrecisionGraph) must also write external data
  process.env.M3_ONNX_EXTERNAL_DATA = "1";
  ckpt = tinyCheckpoint(tmp.dir, "ckpt");
  exportOnnx(ckpt, { externalData: true });
}, 300_000);

afterAll(async () => {
  if (forced === undefined) delete process.env.M3_ONNX_EXTERNAL_DATA;
  else process.env.M3_ONNX_EXTERNAL_DATA = forced;
  await Promise.all(servers.map((s) => s.close()));
  tmp.remove();
});

describe("ONNX external data (small model, forced)", () => {
  it("export leaves exactly the graph and its data file, the weights in the data file", () => {
    expect(readdirSync(path.join(ckpt, "onnx")).sort()).toEqual(["model.onnx", "model.onnx.data"]);
    const weights = statSync(path.join(ckpt, "model.safetensors")).size;
    expect(statSync(path.join(ckpt, "onnx/model.onnx.data")).size).toBeGreaterThan(0.6 * weights);
    expect(statSync(path.join(ckpt, "onnx/model.onnx")).size).toBeLessThan(0.5 * weights);
  });

  it("onnxruntime-node opens it from its path (data file beside it) and the served outputs match PyTorch ≤ 1e-4", async () => {
    const backend = await OrtBackend.load(path.join(ckpt, "onnx/model.onnx"), null);
    expect(backend.dim).toBe(32);
    await backend.close();
    const parity = await probe("onnx/model.onnx");
    expect(parity.outputs.dense.maxAbs).toBeLessThanOrEqual(1e-4);
    expect(parity.outputs.sparse.maxAbs).toBeLessThanOrEqual(1e-4);
    expect(parity.outputs.colbert.maxAbs).toBeLessThanOrEqual(1e-4);
    expect(judgeParity("fp32", parity).passed).toBe(true);
  });

  it("int8 and fp16 graphs are made from the external-data graph and pass their cosine gates", async () => {
    const log = async () => {};
    const signal = new AbortController().signal;
    expect(await ensurePrecisionGraph(ckpt, "int8", log, signal)).toBe("onnx/model.int8.onnx");
    expect(await ensurePrecisionGraph(ckpt, "fp16", log, signal)).toBe("onnx/model.fp16.onnx");
    expect(existsSync(path.join(ckpt, "onnx/model.fp16.onnx.data"))).toBe(true);
    expect(judgeParity("int8", await probe("onnx/model.int8.onnx")).passed).toBe(true);
    expect(judgeParity("fp16", await probe("onnx/model.fp16.onnx")).passed).toBe(true);
  });

  it("the serving bundle carries the data file (sha256 recorded) and its graph loads", async () => {
    const out = path.join(tmp.dir, "bundle");
    const { files } = writeBundle(ckpt, out, { name: "external" });
    expect(files).toContain("onnx/model.onnx.data");
    const serveJson = JSON.parse(readFileSync(path.join(out, "serve.json"), "utf8")) as { files: Record<string, string> };
    expect(serveJson.files["onnx/model.onnx.data"]).toBe(sha256File(path.join(ckpt, "onnx/model.onnx.data")));
    const backend = await OrtBackend.load(path.join(out, "model/onnx/model.onnx"), 32);
    const run = await backend.run([[0, 5, 6, 2]], 1, ["dense"]);
    expect(run.dense!.every(Number.isFinite)).toBe(true);
    await backend.close();
  });

  it("a registered folder's derived working folder links the data file beside the graph, and the graph loads there", async () => {
    const derived = await derivedModelFolder("external-data-test", realpathSync(ckpt));
    try {
      expect(realpathSync(path.join(derived, "onnx/model.onnx.data"))).toBe(realpathSync(path.join(ckpt, "onnx/model.onnx.data")));
      const backend = await OrtBackend.load(path.join(derived, "onnx/model.onnx"), 32);
      await backend.close();
    } finally {
      rmSync(derived, { recursive: true, force: true });
      rmSync(`${derived}.source`, { force: true });
    }
  });

  it("the checkpoint download (tar) carries the data file byte for byte", async () => {
    const chunks: Buffer[] = [];
    for await (const c of tarStream(ckpt, "ckpt-step-1", "# card\n")) chunks.push(c);
    const tar = Buffer.concat(chunks);
    const entries = new Map<string, Buffer>();
    for (let at = 0; at + 512 <= tar.length; ) {
      const header = tar.subarray(at, at + 512);
      const name = header.subarray(0, 100).toString().replace(/\0.*$/s, "");
      if (!name) break;
      const prefix = header.subarray(345, 500).toString().replace(/\0.*$/s, "");
      const size = parseInt(header.subarray(124, 136).toString().replace(/\0.*$/s, "").trim(), 8);
      entries.set(prefix ? `${prefix}/${name}` : name, tar.subarray(at + 512, at + 512 + size));
      at += 512 + Math.ceil(size / 512) * 512;
    }
    const data = entries.get("ckpt-step-1/onnx/model.onnx.data");
    expect(data).toBeDefined();
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(sha(data!)).toBe(sha256File(path.join(ckpt, "onnx/model.onnx.data")));
    expect(entries.has("ckpt-step-1/onnx/model.onnx")).toBe(true);
  });
});
