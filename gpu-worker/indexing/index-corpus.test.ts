/**
 * Indexing a corpus with the demo model: a run stopped after its second batch and started again continues from
 * the third and writes byte-for-byte the same files as an uninterrupted run; the manifest holds the storage costs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDQUAD_JSONL } from "~/server/testing/shared-data";
import type { M3Encoder } from "../inference/encoder";
import { loadEncoder } from "../inference/load";
import { indexCorpus, type CorpusSource, type IndexCorpusOptions } from "./index-corpus";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
let encoder: M3Encoder;
let tmp: string;
const docs = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").slice(0, 37).map((l) => {
  const r = JSON.parse(l) as { qid: string; answer: string };
  return { id: r.qid, text: r.answer };
});
const source: CorpusSource = { total: docs.length, page: async (offset, limit) => docs.slice(offset, offset + limit) };

beforeAll(async () => {
  if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
  encoder = (await loadEncoder(DEMO, { threads: 1 })).encoder;
  tmp = mkdtempSync(path.join(os.tmpdir(), "m3-index-corpus-"));
}, 600_000);
afterAll(async () => {
  await encoder?.backend.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const options = (outDir: string, over: Partial<IndexCorpusOptions> = {}): IndexCorpusOptions => ({
  encoder, source, outDir, stores: ["milvus", "qdrant", "elasticsearch", "pgvector"], name: "medquad", model: "demo-m3", vocabSize: 250_002,
  maxLength: 128, sparse: true, colbert: { dimensions: 64, format: "int8" }, weights: [0.4, 0.2, 0.4], batchSize: 8, ...over,
});

/** Every file under dir (relative path → bytes), temp and part files included so leftovers show. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe("indexing a corpus", () => {
  it("a run stopped after batch 2 resumes from batch 3 and writes the same files as an uninterrupted run", async () => {
    const whole = path.join(tmp, "whole");
    const first = await indexCorpus(options(whole));
    expect(first).toMatchObject({ documents: 37, totalBatches: 5, encodedBatches: 5 });

    const resumed = path.join(tmp, "resumed");
    const crash = new Error("worker died");
    await expect(indexCorpus(options(resumed, { afterBatch: (b) => { if (b === 1) throw crash; } }))).rejects.toBe(crash);
    expect(existsSync(path.join(resumed, "manifest.json"))).toBe(false);
    const encodedAgain: number[] = [];
    const second = await indexCorpus(options(resumed, { afterBatch: (b) => void encodedAgain.push(b) }));
    expect(encodedAgain).toEqual([2, 3, 4]);
    expect(second.encodedBatches).toBe(3);

    const a = tree(whole);
    const b = tree(resumed);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, bytes] of a) if (file !== "manifest.json") expect(b.get(file)!.equals(bytes), file).toBe(true);
    const { encodedBatches: _a, ...m1 } = first;
    const { encodedBatches: _b, ...m2 } = second;
    expect(m2).toEqual(m1);
    expect([...a.keys()].some((f) => f.startsWith(".parts") || f.includes(".tmp"))).toBe(false);
  }, 600_000);

  it("a run aborted through its signal after batch 1 (a shutdown) resumes from batch 2 with the same files", async () => {
    const whole = path.join(tmp, "whole-signal");
    await indexCorpus(options(whole, { stores: ["pgvector", "qdrant"] }));
    const dir = path.join(tmp, "aborted");
    const stop = new AbortController();
    const reason = new Error("shutting down");
    await expect(indexCorpus(options(dir, { stores: ["pgvector", "qdrant"], signal: stop.signal, afterBatch: (b) => { if (b === 1) stop.abort(reason); } }))).rejects.toBe(reason);
    const encodedAgain: number[] = [];
    await indexCorpus(options(dir, { stores: ["pgvector", "qdrant"], afterBatch: (b) => void encodedAgain.push(b) }));
    expect(encodedAgain).toEqual([2, 3, 4]);
    const a = tree(whole);
    const b = tree(dir);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, bytes] of a) if (file !== "manifest.json") expect(b.get(file)!.equals(bytes), file).toBe(true);
  }, 600_000);

  it("the manifest says what each output costs per document", async () => {
    const m = await indexCorpus(options(path.join(tmp, "costs"), { colbert: { dimensions: 128, format: "float" } }));
    expect(m.storage.denseBytes).toBe(128 * 4);
    expect(m.storage.sparseBytes).toBe(Math.round(m.storage.sparseNonzeros! * 8));
    const v = m.storage.colbertVectors!;
    expect(v).toBeGreaterThan(10);
    expect(m.storage.colbert).toEqual([
      { dimensions: 128, format: "float", bytes: Math.round(v * 512) },
      { dimensions: 128, format: "int8", bytes: Math.round(v * 132) },
      { dimensions: 64, format: "float", bytes: Math.round(v * 256) },
      { dimensions: 64, format: "int8", bytes: Math.round(v * 68) },
      { dimensions: 32, format: "float", bytes: Math.round(v * 128) },
      { dimensions: 32, format: "int8", bytes: Math.round(v * 36) },
    ]);
  }, 600_000);

  it("changed options start over instead of mixing parts", async () => {
    const dir = path.join(tmp, "changed");
    await expect(indexCorpus(options(dir, { afterBatch: (b) => { if (b === 0) throw new Error("stop"); } }))).rejects.toThrow("stop");
    const seen: number[] = [];
    await indexCorpus(options(dir, { batchSize: 16, afterBatch: (b) => void seen.push(b) }));
    expect(seen).toEqual([0, 1, 2]);
  }, 600_000);
});
