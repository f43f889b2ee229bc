/**
 * OpenAI compatibility of the embedding server (issue #20, items 1 and 11), through real HTTP with the demo model
 * and the official openai client: 2,048 inputs per request (LangChain sends 512) run in the micro-batcher's own
 * bounded batches, with 413 beyond the input count or the token budget; GET /v1/models in OpenAI's shape; an
 * unknown `model` refused with 404 model_not_found (the served name, its aliases and BGE-M3's names accepted);
 * empty strings refused with 400 naming the input.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { EmbeddingServer } from "./server";
import { maxDiff, post, TEXTS, useModelCopies, useServer } from "./testing/server-fixture";

const m = useModelCopies();

/** Distinct, sentence-like texts (a cache hit would hide batching). */
const corpus = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag} passage ${i}: ${TEXTS[i % TEXTS.length]} Patients with condition ${i} report symptom ${(i * 7) % 101}.`);

async function histogram(server: EmbeddingServer, metric: "batchTokens" | "batchSize") {
  const values = (await server.metrics[metric].get()).values;
  const count = values.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
  const bucket = (le: number) => values.find((v) => v.metricName?.endsWith("_bucket") && v.labels.le === le)?.value ?? 0;
  return { count, bucket };
}

const batchCount = async (server: EmbeddingServer) => (await histogram(server, "batchSize")).count;

async function get(url: string, key: string | null = "key-good") {
  const res = await fetch(url, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe("OpenAI limits: 2,048 inputs per request, in bounded batches", () => {
  // The default limits (OpenAI's), with a small batch budget so the split is visible.
  const served = useServer(m, () => ({ limits: { maxBatchTokens: 4096 }, cacheEntries: 0 }));

  it("2,048 inputs in one request: every embedding in order and equal to the engine's; batches of at most 4,096 tokens", async () => {
    const texts = corpus(2048, "full");
    const before = await histogram(served.server, "batchTokens");
    const real0 = (await served.server.metrics.realTokens.get()).values[0]?.value ?? 0;
    const client = new OpenAI({ apiKey: "key-good", baseURL: `${served.url}/v1`, maxRetries: 0 });
    const res = await client.embeddings.create({ model: "demo-m3", input: texts, encoding_format: "float" });
    expect(res.data.map((d) => d.index)).toEqual(texts.map((_, i) => i));
    const sample = [0, 1, 777, 2047];
    const ref = await m.encoder.encode(sample.map((i) => texts[i]!), { maxLength: m.maxLength, outputs: ["dense"] });
    sample.forEach((i, k) => expect(maxDiff(res.data[i]!.embedding, ref.dense.subarray(k * 128, (k + 1) * 128))).toBeLessThanOrEqual(1e-5));

    const after = await histogram(served.server, "batchTokens");
    const batches = after.count - before.count;
    expect(batches).toBeGreaterThan(1);
    expect(after.bucket(4096) - before.bucket(4096)).toBe(batches); // no batch over the budget
    const real1 = (await served.server.metrics.realTokens.get()).values[0]!.value;
    expect(real1 - real0).toBe(res.usage.prompt_tokens); // every input ran, exactly once
  });

  it("LangChain's embedDocuments batches (512 inputs per request) work unchanged", async () => {
    const client = new OpenAI({ apiKey: "key-good", baseURL: `${served.url}/v1`, maxRetries: 0 });
    const texts = corpus(600, "langchain");
    const parts = await Promise.all([texts.slice(0, 512), texts.slice(512)].map((input) => client.embeddings.create({ model: "demo-m3", input })));
    expect(parts.map((p) => p.data.length)).toEqual([512, 88]);
  });

  it("2,049 inputs: 413 too_many_inputs naming the count and the limit; nothing is run", async () => {
    const batches0 = await batchCount(served.server);
    const res = await post(`${served.url}/v1/embeddings`, { input: corpus(2049, "over") });
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ type: "invalid_request_error", code: "too_many_inputs", param: "input" });
    expect(res.json.error.message).toMatch(/2049 inputs .* limit is 2048/);
    expect(await batchCount(served.server)).toBe(batches0);
  });
});

describe("the token budget of a request", () => {
  const served = useServer(m, () => ({ limits: { maxTokensPerRequest: 1000, maxColbertTokensPerRequest: 200 }, cacheEntries: 0 }));

  it("a request over maxTokensPerRequest gets 413 too_many_tokens before any batch runs; under it passes", async () => {
    const batches0 = await batchCount(served.server);
    const over = await post(`${served.url}/v1/embeddings`, { input: corpus(100, "budget") });
    expect(over.status).toBe(413);
    expect(over.json.error).toMatchObject({ code: "too_many_tokens", param: "input" });
    const [, total, limit] = /input: (\d+) tokens in one request; the limit is (\d+)/.exec(over.json.error.message)!;
    expect(Number(total)).toBeGreaterThan(1000);
    expect(Number(limit)).toBe(1000);
    expect(await batchCount(served.server)).toBe(batches0);
    const ok = await post(`${served.url}/v1/embeddings`, { input: corpus(10, "budget") });
    expect(ok.status).toBe(200);
    expect(ok.json.usage.prompt_tokens).toBeLessThanOrEqual(1000);
  });

  it("ColBERT vectors in the reply have their own, smaller budget", async () => {
    const texts = corpus(10, "colbert");
    const dense = await post(`${served.url}/v1/encode`, { input: texts });
    expect(dense.status).toBe(200);
    const colbert = await post(`${served.url}/v1/encode`, { input: texts, return_colbert: true });
    expect(colbert.status).toBe(413);
    expect(colbert.json.error.message).toMatch(/tokens with ColBERT vectors in the reply in one request; the limit is 200/);
  });
});

describe("model names, GET /v1/models, empty inputs", () => {
  const served = useServer(m, () => ({ modelAliases: ["dep_12345"] }));

  it("GET /v1/models: OpenAI's list shape with the served name; the key is required; the openai client lists it", async () => {
    const list = await get(`${served.url}/v1/models`);
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ object: "list", data: [{ id: "demo-m3", object: "model", owned_by: "m3-studio" }] });
    const created = list.json.data[0].created as number;
    expect(Number.isInteger(created)).toBe(true);
    expect(Math.abs(created - Date.now() / 1000)).toBeLessThan(24 * 3600); // seconds, not milliseconds
    expect(list.json.data[0].aliases).toEqual(["dep_12345", "BAAI/bge-m3", "bge-m3"]);
    expect((await get(`${served.url}/v1/models`, null)).status).toBe(401);
    expect((await fetch(`${served.url}/v1/models`, { method: "POST", headers: { Authorization: "Bearer key-good" } })).status).toBe(405);

    const client = new OpenAI({ apiKey: "key-good", baseURL: `${served.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["demo-m3"]);
    expect((await client.models.retrieve("BAAI/bge-m3")).id).toBe("demo-m3");
    const missing = await get(`${served.url}/v1/models/text-embedding-3-small`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("model_not_found");
  });

  it("`model`: the served name, an alias, BGE-M3's names (any case) or none are served; another name is 404 model_not_found", async () => {
    for (const model of ["demo-m3", "DEMO-M3", "dep_12345", "BAAI/bge-m3", "baai/BGE-M3", "bge-m3", undefined]) {
      const res = await post(`${served.url}/v1/embeddings`, { model, input: "fatty liver" });
      expect({ model, status: res.status }).toEqual({ model, status: 200 });
      expect(res.json.model).toBe("demo-m3");
    }
    const client = new OpenAI({ apiKey: "key-good", baseURL: `${served.url}/v1`, maxRetries: 0 });
    const refused = await client.embeddings.create({ model: "text-embedding-3-small", input: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    const wrong = await post(`${served.url}/v1/embeddings`, { model: "text-embedding-ada-002", input: "x" });
    expect(wrong.status).toBe(404);
    expect(wrong.json.error).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" });
    expect(wrong.json.error.message).toMatch(/"text-embedding-ada-002" is not served here; this deployment answers to "demo-m3", "dep_12345", "BAAI\/bge-m3"/);
    for (const route of ["encode", "score"]) {
      const body = route === "score" ? { model: "other", pairs: ["q", "p"] } : { model: "other", input: "x" };
      const res = await post(`${served.url}/v1/${route}`, body);
      expect({ route, status: res.status, code: res.json.error?.code }).toEqual({ route, status: 404, code: "model_not_found" });
    }
  });

  it("empty strings are refused with 400 naming the input (OpenAI refuses them too)", async () => {
    const single = await post(`${served.url}/v1/embeddings`, { input: "" });
    expect(single.status).toBe(400);
    expect(single.json.error).toMatchObject({ code: "empty_input", param: "input", message: "input: must not be an empty string" });
    const inList = await post(`${served.url}/v1/embeddings`, { input: ["fatty liver", "", "hepatitis"] });
    expect(inList.status).toBe(400);
    expect(inList.json.error.message).toBe("input[1]: must not be an empty string");
    const encode = await post(`${served.url}/v1/encode`, { input: ["a", "b", ""] });
    expect(encode.json.error.message).toBe("input[2]: must not be an empty string");
    const score = await post(`${served.url}/v1/score`, { pairs: [["q", "p"], ["q", ""]] });
    expect(score.status).toBe(400);
    expect(score.json.error.message).toBe("pairs[1][1]: must not be an empty string");
    // whitespace is text: embedded as OpenAI does
    expect((await post(`${served.url}/v1/embeddings`, { input: " " })).status).toBe(200);
  });
});
