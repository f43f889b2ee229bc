/**
 * The embedding server's admission control (429 with Retry-After, queue timeouts), model swap under continuous
 * traffic with zero failed requests, and graceful drain, through real HTTP with the demo model. Work is held in
 * flight with the server's `beforeBatch` gate, never with sleeps.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEmbeddingServer, type EmbeddingServerOptions } from "./server";
import { gate, maxDiff, post, TEXTS, useModelCopies } from "./testing/server-fixture";

const m = useModelCopies();

describe("admission, swap and drain", () => {
  const base = (extra: Partial<EmbeddingServerOptions>): EmbeddingServerOptions => ({
    modelDir: m.modelA,
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
      const swap = server.swapModel(m.modelB).then(() => (swapped = true));
      while (server.stats().modelDir !== m.modelB) await new Promise((r) => setImmediate(r)); // new model is current…
      expect(swapped).toBe(false); // …but the old one is not closed while a request holds it
      expect((await post(`${server.url}/v1/embeddings`, { input: "served by the new model" }, null)).status).toBe(200);
      g.open();
      expect((await held).status).toBe(200);
      await swap;
      // 2. continuous traffic from 4 clients while swapping back and forth (rollback)
      const clients = [0, 1, 2, 3].map(client);
      await server.swapModel(m.modelA);
      await server.swapModel(m.modelB);
      await server.swapModel(m.modelA);
      stop = true;
      await Promise.all(clients);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(server.stats().modelDir).toBe(m.modelA);
      expect(await server.metrics.text()).toMatch(/m3_model_swaps_total 4/);
      await expect(server.swapModel(path.join(m.tmp, "missing"))).rejects.toThrow(/does not exist/);
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
      const ref = await m.encoder.encode(TEXTS, { maxLength: m.maxLength, outputs: ["dense"] });
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

