/**
 * What the embedding-server tests share: private copies of the demo model (built when absent; a concurrent rebuild
 * cannot change them under a test), a reference encoder on copy A, a server on copy A with the tests' usual
 * options (`useServer`), a gate that holds a model batch in flight until the test opens it (nothing is timed), and
 * a small HTTP helper.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type { M3Encoder } from "../../inference/encoder";
import { loadEncoder } from "../../inference/load";
import { createEmbeddingServer, type EmbeddingServer, type EmbeddingServerOptions } from "../server";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
const FILES = ["tokenizer.json", "tokenizer_config.json", "config.json", "m3studio.json", "special_tokens_map.json", "onnx/model.onnx"];
export const TEXTS = ["What is BGE M3?", "Defination of BM25", "肝功能异常需要做哪些检查？", "What are the symptoms of hepatitis B?"];
export const LONG = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" "); // > 128 tokens

export interface ModelCopies {
  tmp: string;
  /** The model served first. */
  modelA: string;
  /** A second copy, to swap to. */
  modelB: string;
  /** The inference engine on model A: the reference for parity. */
  encoder: M3Encoder;
  maxLength: number;
}

function copyModel(dst: string) {
  for (const f of FILES) {
    const src = path.join(DEMO, f);
    if (!existsSync(src)) continue;
    mkdirSync(path.dirname(path.join(dst, f)), { recursive: true });
    cpSync(src, path.join(dst, f));
  }
}

/** Registers the file's beforeAll/afterAll that make (and remove) the model copies; fields are set once they ran. */
export function useModelCopies(): ModelCopies {
  const m = {} as ModelCopies;
  beforeAll(async () => {
    if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
    m.tmp = mkdtempSync(path.join(os.tmpdir(), "m3-serve-test-"));
    m.modelA = path.join(m.tmp, "a");
    m.modelB = path.join(m.tmp, "b");
    copyModel(m.modelA);
    copyModel(m.modelB);
    const loaded = await loadEncoder(m.modelA, { threads: 1 });
    m.encoder = loaded.encoder;
    m.maxLength = loaded.maxLength;
  }, 900_000);
  afterAll(async () => {
    await m.encoder?.backend.close();
    if (m.tmp) rmSync(m.tmp, { recursive: true, force: true });
  });
  return m;
}

/** Small limits, so a test can pass them with small requests. */
export const TEST_LIMITS = { maxConcurrentRequests: 8, maxBodyBytes: 64 * 1024, maxInputsPerRequest: 16, maxBatchTokens: 4096, queueTimeoutMs: 2000 };

/** Keys the default `authenticate` of `useServer` accepts ("key-good" → keyId "id-good"). */
export const TEST_KEYS = ["key-good"];

export interface ServedModel {
  server: EmbeddingServer;
  /** server.url */
  url: string;
}

/**
 * Registers the beforeAll/afterAll that start (and close) an embedding server on model copy A on 127.0.0.1: one
 * thread, name "demo-m3", TEST_LIMITS, a 100-entry cache, quiet, keys TEST_KEYS. `options` (called in beforeAll,
 * so it may use what the test file sets up later) overrides any of these; `limits` replace TEST_LIMITS whole.
 */
export function useServer(m: ModelCopies, options: () => Partial<EmbeddingServerOptions> = () => ({})): ServedModel {
  const served = {} as ServedModel;
  beforeAll(async () => {
    served.server = await createEmbeddingServer({
      modelDir: m.modelA,
      host: "127.0.0.1",
      port: 0,
      threads: 1,
      modelName: "demo-m3",
      cacheEntries: 100,
      authenticate: async (token) => (TEST_KEYS.includes(token) ? { keyId: `id-${token.replace(/^key-/, "")}` } : null),
      limits: TEST_LIMITS,
      log: () => {},
      ...options(),
    });
    served.url = served.server.url;
  });
  afterAll(async () => served.server?.close());
  return served;
}

/** A gate the server awaits before each model batch: after close(), the NEXT batch waits until open(). */
export function gate() {
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

export async function post(url: string, body: unknown, key: string | null = "key-good", extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...extra };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(url, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  const json = (await res.json()) as Record<string, any>;
  return { status: res.status, json, headers: res.headers };
}

export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
