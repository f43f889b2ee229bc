/**
 * The embedding server through real HTTP on 127.0.0.1 with the demo model (built by scripts/build-demo-model.sh
 * when absent): every endpoint, auth (missing / wrong / revoked key), the official openai client, limits (413,
 * 429), truncation reporting, parity with M3Encoder, cross-request batching, the cache (admission control, model
 * swap and drain are in server-admission.test.ts). Nothing is timed: work is held in flight with the
 * server's `beforeBatch` hook (a gate the test opens), never with sleeps.
 */
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { lexicalScore } from "~/server/lib/retrieval/sparse";
import type { FeedbackBody } from "./schemas";
import type { EmbeddingServer } from "./server";
import { gate, LONG, maxDiff, post, TEXTS, useModelCopies, useServer } from "./testing/server-fixture";

const m = useModelCopies();

describe("embedding server", () => {
  const revoked = new Set<string>();
  const feedback: FeedbackBody[] = [];
  const g = gate();
  const served = useServer(m, () => ({
    cacheEntries: 1000,
    beforeBatch: g.hook,
    authenticate: async (token) => (["key-good", "key-other"].includes(token) && !revoked.has(token) ? { keyId: `id-${token}` } : null),
    onFeedback: async (body) => void feedback.push(body),
  }));
  let server: EmbeddingServer;
  beforeAll(() => void (server = served.server));

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
    const ref = await m.encoder.encode(TEXTS, { maxLength: m.maxLength, outputs: ["dense"] });
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
    const ref = await m.encoder.encode(TEXTS, { maxLength: m.maxLength, outputs: ["dense", "sparse", "colbert"] });
    json.data.forEach((d: Record<string, any>, i: number) => {
      expect(maxDiff(d.dense, ref.dense.subarray(i * 128, (i + 1) * 128))).toBeLessThanOrEqual(1e-5);
      const w = ref.sparse![i]!;
      expect(Object.keys(d.sparse_ids).length).toBe(w.size);
      for (const [id, weight] of w) {
        expect(Math.abs(d.sparse_ids[String(id)] - weight)).toBeLessThanOrEqual(1e-5);
        expect(d.sparse[m.encoder.tokenizer.decode([id])]).toBeGreaterThanOrEqual(weight - 1e-5);
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
    const q = await m.encoder.encode(pairs.map((p) => p[0]), { maxLength: m.maxLength, outputs: ["dense", "sparse", "colbert"] });
    const p = await m.encoder.encode(pairs.map((x) => x[1]), { maxLength: m.maxLength, outputs: ["dense", "sparse", "colbert"] });
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

