/**
 * The embedding server through real HTTP on 127.0.0.1 with the demo model (built by scripts/build-demo-model.sh
 * when absent): every endpoint, auth (missing / wrong / revoked key), the official openai client, limits (413,
 * 429), truncation reporting, parity with M3Encoder, cross-request batching, the cache, model swap under
 * continuous traffic with zero failed requests, graceful drain. Nothing is timed: work is held in flight with the
 * server's `beforeBatch` hook (a gate the test opens), never with sleeps.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { lexicalScore } from "~/server/lib/retrieval/sparse";
import type { M3Encoder } from "../inference/encoder";
import { loadEncoder } from "../inference/load";
import type { FeedbackBody } from "./schemas";
import { createEmbeddingServer, type EmbeddingServer, type EmbeddingServerOptions } from "./server";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
const FILES = ["tokenizer.json", "tokenizer_config.json", "config.json", "m3studio.json", "special_tokens_map.json", "onnx/model.onnx"];
const TEXTS = ["What is BGE M3?", "Defination of BM25", "肝功能异常需要做哪些检查？", "What are the symptoms of hepatitis B?"];
const LONG = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" "); // > 128 tokens

let tmp: string;
let modelA: string; // a private copy of the demo model (a concurrent rebuild cannot change it under the test)
let modelB: string; // a second copy, to swap to
let encoder: M3Encoder;
let maxLength: number;

/** A gate the server awaits before each model batch: after close(), the NEXT batch waits until open(). */
function gate() {
  let armed = false;
  let release: () => void = () => {};
  let blocked = Promise.resolve();
  let started: () => void = () => {};
  let startedP = Promise.resolve();
  return {
    hook: async () => {
      if (!armed) return;
      armed = false;
      started();
      await blocked;
    },
    close() {
      armed = true;
      blocked = new Promise<void>((r) => (release = r));
      startedP = new Promise<void>((r) => (started = r));
    },
    open() {
      armed = false;
      release();
    },
    started: () => startedP,
  };
}

function copyModel(dst: string) {
  for (const f of FILES) {
    const src = path.join(DEMO, f);
    if (!existsSync(src)) continue;
    mkdirSync(path.dirname(path.join(dst, f)), { recursive: true });
    cpSync(src, path.join(dst, f));
  }
}

async function post(url: string, body: unknown, key: string | null = "key-good", extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...extra };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(url, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  const json = (await res.json()) as Record<string, any>;
  return { status: res.status, json, headers: res.headers };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

beforeAll(() => {
  if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
  tmp = mkdtempSync(path.join(os.tmpdir(), "m3-serve-test-"));
  modelA = path.join(tmp, "a");
  modelB = path.join(tmp, "b");
  copyModel(modelA);
  copyModel(modelB);
}, 900_000);

beforeAll(async () => {
  const loaded = await loadEncoder(modelA, { threads: 1 });
  encoder = loaded.encoder;
  maxLength = loaded.maxLength;
});

afterAll(async () => {
  await encoder?.backend.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("embedding server", () => {
  let server: EmbeddingServer;
  const revoked = new Set<string>();
  const feedback: FeedbackBody[] = [];
  const g = gate();

  beforeAll(async () => {
    server = await createEmbeddingServer({
      modelDir: modelA,
      host: "127.0.0.1",
      port: 0,
      threads: 1,
      modelName: "demo-m3",
      cacheEntries: 1000,
      beforeBatch: g.hook,
      authenticate: async (token) => (["key-good", "key-other"].includes(token) && !revoked.has(token) ? { keyId: `id-${token}` } : null),
      onFeedback: async (body) => void feedback.push(body),
      limits: { maxConcurrentRequests: 8, maxBodyBytes: 64 * 1024, maxInputsPerRequest: 16, maxBatchTokens: 4096, queueTimeoutMs: 2000 },
      log: () => {},
    });
  });
  afterAll(async () => server?.close());

  it("GET /health reports the model", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", model: "demo-m3", dim: 128, max_length: 128 });
  });

  it("GET /openapi.json describes the routes from the request schemas", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, any> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/embeddings", "/v1/encode", "/v1/score", "/v1/feedback", "/health", "/metrics"]));
    const schema = doc.paths["/v1/embeddings"].post.requestBody.content["application/json"].schema;
    expect(schema.properties.encoding_format.enum).toEqual(["float", "base64"]);
  });

  it("auth: missing, wrong and revoked keys get 401 with an OpenAI-style JSON error", async () => {
    const missing = await post(`${server.url}/v1/embeddings`, { input: "x" }, null);
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: "authentication_error", code: "missing_api_key" });
    const wrong = await post(`${server.url}/v1/embeddings`, { input: "x" }, "nope");
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe("invalid_api_key");
    expect((await post(`${server.url}/v1/embeddings`, { input: "x" }, "key-other")).status).toBe(200);
    revoked.add("key-other");
    const rev = await post(`${server.url}/v1/embeddings`, { input: "x" }, "key-other");
    expect(rev.status).toBe(401);
    expect(rev.json.error.message).toMatch(/revoked/);
  });

  it("POST /v1/embeddings matches M3Encoder (≤1e-5) and the OpenAI response shape", async () => {
    const { status, json, headers } = await post(`${server.url}/v1/embeddings`, { model: "demo-m3", input: TEXTS });
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: "list", model: "demo-m3", truncated: [] });
    expect(headers.get("x-m3-truncated-inputs")).toBe("0");
    const ref = await encoder.encode(TEXTS, { maxLength, outputs: ["dense"] });
    expect(json.usage).toEqual({ prompt_tokens: ref.lengths.reduce((a, b) => a + b), total_tokens: ref.lengths.reduce((a, b) => a + b) });
    json.data.forEach((d: { object: string; index: number; embedding: number[] }, i: number) => {
      expect(d.object).toBe("embedding");
      expect(d.index).toBe(i);
      expect(maxDiff(d.embedding, ref.dense.subarray(i * 128, (i + 1) * 128))).toBeLessThanOrEqual(1e-5);
    });
  });

  it("the official openai client works unchanged (base64 by default, float on request, dimensions)", async () => {
    const client = new OpenAI({ apiKey: "key-good", baseURL: `${server.url}/v1`, maxRetries: 0 });
    const b64 = await client.embeddings.create({ model: "demo-m3", input: TEXTS });
    const flt = await client.embeddings.create({ model: "demo-m3", input: TEXTS, encoding_format: "float" });
    expect(b64.data).toHaveLength(TEXTS.length);
    b64.data.forEach((d, i) => expect(maxDiff(d.embedding, flt.data[i]!.embedding)).toBe(0));
    const short = await client.embeddings.create({ model: "demo-m3", input: "What is BGE M3?", dimensions: 32, encoding_format: "float" });
    const v = short.data[0]!.embedding;
    expect(v).toHaveLength(32);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    const full = flt.data[0]!.embedding.slice(0, 32);
    const n = Math.hypot(...full);
    expect(maxDiff(v, full.map((x) => x / n))).toBeLessThanOrEqual(1e-6);
    const tokens = await client.embeddings.create({ model: "demo-m3", input: [[100, 200, 300]], encoding_format: "float" });
    expect(tokens.usage.prompt_tokens).toBe(5); // <s> … </s> added
  });

  it("POST /v1/encode returns dense, sparse (token → weight and ids) and ColBERT like M3Encoder", async () => {
    const { status, json } = await post(`${server.url}/v1/encode`, { input: TEXTS, return_sparse: true, return_colbert: true });
    expect(status).toBe(200);
    const ref = await encoder.encode(TEXTS, { maxLength, outputs: ["dense", "sparse", "colbert"] });
    json.data.forEach((d: Record<string, any>, i: number) => {
      expect(maxDiff(d.dense, ref.dense.subarray(i * 128, (i + 1) * 128))).toBeLessThanOrEqual(1e-5);
      const w = ref.sparse![i]!;
      expect(Object.keys(d.sparse_ids).length).toBe(w.size);
      for (const [id, weight] of w) {
        expect(Math.abs(d.sparse_ids[String(id)] - weight)).toBeLessThanOrEqual(1e-5);
        expect(d.sparse[encoder.tokenizer.decode([id])]).toBeGreaterThanOrEqual(weight - 1e-5);
      }
      expect(d.colbert).toHaveLength(ref.lengths[i]! - 1);
      expect(maxDiff(d.colbert.flat(), ref.colbert![i]!)).toBeLessThanOrEqual(1e-5);
    });
    const none = await post(`${server.url}/v1/encode`, { input: "x", return_dense: false });
    expect(none.status).toBe(400);
  });

  it("POST /v1/score computes dense, sparse, ColBERT and hybrid scores like compute_score", async () => {
    const pairs: Array<[string, string]> = [
      [TEXTS[0]!, "BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction."],
      [TEXTS[1]!, "BM25 is a bag-of-words retrieval function that ranks documents by the query terms in each document"],
    ];
    const { status, json } = await post(`${server.url}/v1/score`, { pairs });
    expect(status).toBe(200);
    expect(json.weights).toEqual([0.4, 0.2, 0.4]);
    const q = await encoder.encode(pairs.map((p) => p[0]), { maxLength, outputs: ["dense", "sparse", "colbert"] });
    const p = await encoder.encode(pairs.map((x) => x[1]), { maxLength, outputs: ["dense", "sparse", "colbert"] });
    json.data.forEach((d: Record<string, number>, i: number) => {
      let dense = 0;
      for (let k = 0; k < 128; k++) dense += q.dense[i * 128 + k]! * p.dense[i * 128 + k]!;
      const sparse = lexicalScore(q.sparse![i]!, p.sparse![i]!);
      const colbert = colbertScore(q.colbert![i]!, p.colbert![i]!, 128);
      expect(Math.abs(d.dense! - dense)).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(d.sparse! - sparse)).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(d.colbert! - colbert)).toBeLessThanOrEqual(1e-5);
      expect(d["sparse+dense"]).toBeCloseTo((0.2 * sparse + 0.4 * dense) / 0.6, 5);
      expect(d["colbert+sparse+dense"]).toBeCloseTo(0.4 * dense + 0.2 * sparse + 0.4 * colbert, 5);
    });
  });

  it("reports truncation in the body and a header; truncate:false refuses instead", async () => {
    const { status, json, headers } = await post(`${server.url}/v1/embeddings`, { input: ["short", LONG] });
    expect(status).toBe(200);
    expect(json.truncated).toEqual([1]);
    expect(headers.get("x-m3-truncated-inputs")).toBe("1");
    expect(json.usage.prompt_tokens).toBeLessThanOrEqual(128 + 3);
    const refused = await post(`${server.url}/v1/embeddings`, { input: ["short", LONG], truncate: false });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("context_length_exceeded");
    expect(refused.json.error.message).toMatch(/input\[1\] has \d+ tokens; the maximum is 128/);
  });

  it("limits: 413 for a body over maxBodyBytes and for too many inputs; 400 for bad JSON and bad fields", async () => {
    const big = await post(`${server.url}/v1/embeddings`, { input: "a ".repeat(40 * 1024) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("payload_too_large");
    const many = await post(`${server.url}/v1/embeddings`, { input: Array.from({ length: 17 }, (_, i) => `t${i}`) });
    expect(many.status).toBe(413);
    expect(many.json.error).toMatchObject({ code: "too_many_inputs", param: "input" });
    expect(many.json.error.message).toMatch(/17 inputs .* limit is 16/);
    const badJson = await post(`${server.url}/v1/embeddings`, "{nope");
    expect(badJson.status).toBe(400);
    expect(badJson.json.error.code).toBe("invalid_json");
    const badDims = await post(`${server.url}/v1/embeddings`, { input: "x", dimensions: 4096 });
    expect(badDims.status).toBe(400);
    expect(badDims.json.error.param).toBe("dimensions");
    const badFormat = await post(`${server.url}/v1/embeddings`, { input: "x", encoding_format: "int8" });
    expect(badFormat.status).toBe(400);
    expect(badFormat.json.error.message).toMatch(/^encoding_format/);
    const empty = await post(`${server.url}/v1/embeddings`, { input: [] });
    expect(empty.status).toBe(400);
    const badToken = await post(`${server.url}/v1/embeddings`, { input: [[999999]] });
    expect(badToken.status).toBe(400);
    expect((await fetch(`${server.url}/v1/nothing`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${server.url}/v1/embeddings`)).status).toBe(405);
  });

  it("batches inputs of concurrent requests together", async () => {
    const before = await server.metrics.batchSize.get();
    const count0 = before.values.find((v) => v.metricName === "m3_batch_size_count")?.value ?? 0;
    g.close();
    const first = post(`${server.url}/v1/embeddings`, { input: "batch probe zero" });
    await g.started(); // the first batch is held at the gate
    const rest = Array.from({ length: 6 }, (_, i) => post(`${server.url}/v1/embeddings`, { input: `batch probe ${i + 1}` }));
    while (server.stats().pendingInputs < 6) await new Promise((r) => setImmediate(r)); // all six queued behind it
    g.open();
    const all = await Promise.all([first, ...rest]);
    expect(all.map((r) => r.status)).toEqual(Array(7).fill(200));
    const after = await server.metrics.batchSize.get();
    const count1 = after.values.find((v) => v.metricName === "m3_batch_size_count")!.value;
    expect(count1 - count0).toBe(2); // 1 held batch + 1 batch with the six other requests' inputs
  });

  it("serves repeated inputs from the LRU cache", async () => {
    const hits0 = (await server.metrics.cacheHits.get()).values[0]?.value ?? 0;
    const a = await post(`${server.url}/v1/embeddings`, { input: "cache me please" });
    const b = await post(`${server.url}/v1/embeddings`, { input: "cache me please" });
    expect(b.json.data[0].embedding).toEqual(a.json.data[0].embedding);
    expect((await server.metrics.cacheHits.get()).values[0]!.value - hits0).toBe(1);
  });

  it("POST /v1/feedback validates the RAG-log line and hands it to onFeedback", async () => {
    const line = {
      query: "liver pain after meals",
      retrieved_docs: [
        { doc_id: "d1", content: "Gallstones can cause pain after fatty meals.", rank: 1 },
        { doc_id: "d2", content: "Hepatitis is inflammation of the liver.", rank: 2 },
      ],
      user_feedback: { helpful_docs: ["d1"] },
    };
    const ok = await post(`${server.url}/v1/feedback`, line);
    expect(ok.status).toBe(202);
    expect(feedback.at(-1)).toEqual(line);
    const bad = await post(`${server.url}/v1/feedback`, { ...line, user_feedback: { helpful_docs: ["d9"] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/d9.*not among retrieved_docs/);
  });

  it("GET /metrics exposes Prometheus counters, histograms and the queue gauge", async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/m3_http_requests_total\{route="\/v1\/embeddings",status="200"\} \d+/);
    expect(text).toMatch(/m3_http_requests_total\{route="\/v1\/embeddings",status="401"\} \d+/);
    expect(text).toMatch(/m3_http_errors_total\{route="\/v1\/embeddings",type="authentication_error"\} \d+/);
    expect(text).toContain("m3_http_request_duration_seconds_bucket");
    expect(text).toMatch(/m3_queue_size \d+/);
    expect(text).toContain("m3_batch_tokens_bucket");
    expect(text).toMatch(/m3_truncated_inputs_total [1-9]/);
    expect(text).toContain("process_resident_memory_bytes");
  });
});

describe("admission, swap and drain", () => {
  const base = (extra: Partial<EmbeddingServerOptions>): EmbeddingServerOptions => ({
    modelDir: modelA,
    threads: 1,
    authenticate: null,
    cacheEntries: 0,
    limits: { maxConcurrentRequests: 4, maxBodyBytes: 1 << 20, maxInputsPerRequest: 64, maxBatchTokens: 4096, queueTimeoutMs: 1000 },
    log: () => {},
    ...extra,
  });

  it("over maxConcurrentRequests (queue full) → 429 with Retry-After; the admitted request completes", async () => {
    const g = gate();
    const server = await createEmbeddingServer(
      base({ beforeBatch: g.hook, limits: { maxConcurrentRequests: 1, maxQueuedRequests: 0, maxBodyBytes: 1 << 20, maxInputsPerRequest: 8, maxBatchTokens: 4096, queueTimeoutMs: 1000 } }),
    );
    try {
      g.close();
      const first = post(`${server.url}/v1/embeddings`, { input: "held" }, null);
      await g.started();
      const refused = await Promise.all(Array.from({ length: 5 }, () => post(`${server.url}/v1/embeddings`, { input: "x" }, null)));
      for (const r of refused) {
        expect(r.status).toBe(429);
        expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(r.json.error).toMatchObject({ type: "rate_limit_error", code: "server_overloaded" });
      }
      expect((await fetch(`${server.url}/health`)).status).toBe(200); // health is not behind admission
      g.open();
      expect((await first).status).toBe(200);
      expect((await post(`${server.url}/v1/embeddings`, { input: "after" }, null)).status).toBe(200);
    } finally {
      g.open();
      await server.close();
    }
  });

  it("swapModel under continuous requests: zero failed requests, in-flight work finishes on the old model", async () => {
    const g = gate();
    const server = await createEmbeddingServer(base({ beforeBatch: g.hook }));
    let stop = false;
    const statuses: number[] = [];
    const client = async (c: number) => {
      for (let i = 0; !stop; i++) statuses.push((await post(`${server.url}/v1/embeddings`, { input: [`client ${c} request ${i}`, TEXTS[i % 4]!] }, null)).status);
    };
    try {
      // 1. a request held in flight across the swap
      g.close();
      const held = post(`${server.url}/v1/embeddings`, { input: "in flight during the swap" }, null);
      await g.started();
      let swapped = false;
      const swap = server.swapModel(modelB).then(() => (swapped = true));
      while (server.stats().modelDir !== modelB) await new Promise((r) => setImmediate(r)); // new model is current…
      expect(swapped).toBe(false); // …but the old one is not closed while a request holds it
      expect((await post(`${server.url}/v1/embeddings`, { input: "served by the new model" }, null)).status).toBe(200);
      g.open();
      expect((await held).status).toBe(200);
      await swap;
      // 2. continuous traffic from 4 clients while swapping back and forth (rollback)
      const clients = [0, 1, 2, 3].map(client);
      await server.swapModel(modelA);
      await server.swapModel(modelB);
      await server.swapModel(modelA);
      stop = true;
      await Promise.all(clients);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(server.stats().modelDir).toBe(modelA);
      expect(await server.metrics.text()).toMatch(/m3_model_swaps_total 4/);
      await expect(server.swapModel(path.join(tmp, "missing"))).rejects.toThrow(/does not exist/);
      expect((await post(`${server.url}/v1/embeddings`, { input: "still serving" }, null)).status).toBe(200);
    } finally {
      stop = true;
      g.open();
      await server.close();
    }
  });

  it("drain: stops accepting, finishes in-flight requests, then resolves", async () => {
    const g = gate();
    const server = await createEmbeddingServer(base({ beforeBatch: g.hook }));
    g.close();
    const inflight = post(`${server.url}/v1/embeddings`, { input: ["finish me", "and me"] }, null);
    await g.started();
    let drained = false;
    const drain = server.drain().then(() => (drained = true));
    const late = await fetch(`${server.url}/health`).then(
      (r) => r.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(late);
    expect(drained).toBe(false);
    g.open();
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.json.data).toHaveLength(2);
    await drain;
    expect(drained).toBe(true);
    await server.close();
  });

  it("inferenceWorkers: 0 runs onnxruntime on the event loop with the same results", async () => {
    const server = await createEmbeddingServer(base({ inferenceWorkers: 0 }));
    try {
      const r = await post(`${server.url}/v1/embeddings`, { input: TEXTS }, null);
      expect(r.status).toBe(200);
      const ref = await encoder.encode(TEXTS, { maxLength, outputs: ["dense"] });
      r.json.data.forEach((d: { embedding: number[] }, i: number) => expect(maxDiff(d.embedding, ref.dense.subarray(i * 128, (i + 1) * 128))).toBeLessThanOrEqual(1e-5));
      expect(((await (await fetch(`${server.url}/health`)).json()) as { backend: string }).backend).toBe("onnxruntime");
    } finally {
      await server.close();
    }
  });

  it("POST /v1/feedback is 404 when the deployment has no feedback callback", async () => {
    const server = await createEmbeddingServer(base({}));
    try {
      const r = await post(`${server.url}/v1/feedback`, { query: "q", retrieved_docs: [], user_feedback: { helpful_docs: [] } }, null);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe("feedback_disabled");
    } finally {
      await server.close();
    }
  });
});
