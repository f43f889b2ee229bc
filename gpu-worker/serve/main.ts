/**
 * Standalone embedding server: serves a model folder (ONNX + tokenizer + config) outside the platform.
 *
 *   npx tsx gpu-worker/serve/main.ts --model DIR [--port 8080] [--host 127.0.0.1] [--keys-file F]
 *       [--name NAME] [--alias NAME]... [--threads N] [--max-concurrent 64] [--max-queued N] [--queue-timeout-ms 5000]
 *       [--max-body-bytes 4194304] [--max-inputs 2048] [--max-tokens 300000] [--max-colbert-tokens 16384]
 *       [--max-batch-tokens 16384] [--cache-entries 10000]
 *       [--feedback-file F.jsonl] [--workers 1] [--onnx-file onnx/model.int8.onnx]
 *       [--batch-overhead-tokens N (default: estimated online)]
 *
 * --name: the served model name (default: the folder's name); --alias: another accepted `model` name (repeatable;
 * "BAAI/bge-m3" and "bge-m3" are always accepted, see model-names.ts).
 * --keys-file: one sha256 hex digest of an API key per line (re-read on change; no file = no auth).
 * --threads: onnxruntime intra-op threads per inference worker; --workers: inference worker threads (one ONNX
 * session each, memory × workers; 0 = run onnxruntime on the event loop).
 * --feedback-file: enables POST /v1/feedback and appends each validated RAG-log line to F as JSONL.
 * Prints `{"event":"ready","url":...}` on stdout when listening. SIGTERM/SIGINT: drain (finish in-flight
 * requests), then exit 0. SIGHUP: no-op (the keys file is re-read on change anyway).
 */
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { keysFileAuthenticator } from "./keys-file";
import { createEmbeddingServer, DEFAULT_LIMITS } from "./server";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    "keys-file": { type: "string" },
    name: { type: "string" },
    alias: { type: "string", multiple: true },
    threads: { type: "string", default: "0" },
    workers: { type: "string", default: "1" },
    "onnx-file": { type: "string" },
    "batch-overhead-tokens": { type: "string" },
    "max-concurrent": { type: "string" },
    "max-queued": { type: "string" },
    "queue-timeout-ms": { type: "string" },
    "max-body-bytes": { type: "string" },
    "max-inputs": { type: "string" },
    "max-tokens": { type: "string" },
    "max-colbert-tokens": { type: "string" },
    "max-batch-tokens": { type: "string" },
    "cache-entries": { type: "string", default: "10000" },
    "feedback-file": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name}: expected a non-negative integer, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

if (values.help || !values.model) {
  process.stderr.write("usage: main.ts --model DIR [--port N] [--host H] [--keys-file F] [--feedback-file F] (see the header of gpu-worker/serve/main.ts)\n");
  process.exit(values.help ? 0 : 2);
}

const feedbackFile = values["feedback-file"];
const maxConcurrent = int("max-concurrent", values["max-concurrent"], DEFAULT_LIMITS.maxConcurrentRequests);
const server = await createEmbeddingServer({
  modelDir: path.resolve(values.model),
  host: values.host,
  port: int("port", values.port, 8080),
  authenticate: values["keys-file"] ? keysFileAuthenticator(values["keys-file"]) : null,
  onFeedback: feedbackFile ? async (body, meta) => appendFile(feedbackFile, `${JSON.stringify({ ...body, key_id: meta.keyId, received_at: new Date().toISOString() })}\n`) : undefined,
  modelName: values.name ?? path.basename(path.resolve(values.model)),
  modelAliases: values.alias ?? [],
  threads: int("threads", values.threads, 0),
  inferenceWorkers: int("workers", values.workers, 1),
  onnxFile: values["onnx-file"],
  batchOverheadTokens: values["batch-overhead-tokens"] === undefined ? undefined : int("batch-overhead-tokens", values["batch-overhead-tokens"], 0),
  cacheEntries: int("cache-entries", values["cache-entries"], 10000),
  limits: {
    maxConcurrentRequests: maxConcurrent,
    maxQueuedRequests: int("max-queued", values["max-queued"], maxConcurrent),
    queueTimeoutMs: int("queue-timeout-ms", values["queue-timeout-ms"], DEFAULT_LIMITS.queueTimeoutMs),
    maxBodyBytes: int("max-body-bytes", values["max-body-bytes"], DEFAULT_LIMITS.maxBodyBytes),
    maxInputsPerRequest: int("max-inputs", values["max-inputs"], DEFAULT_LIMITS.maxInputsPerRequest),
    maxTokensPerRequest: int("max-tokens", values["max-tokens"], DEFAULT_LIMITS.maxTokensPerRequest),
    maxColbertTokensPerRequest: int("max-colbert-tokens", values["max-colbert-tokens"], DEFAULT_LIMITS.maxColbertTokensPerRequest),
    maxBatchTokens: int("max-batch-tokens", values["max-batch-tokens"], DEFAULT_LIMITS.maxBatchTokens),
  },
});
process.stdout.write(`${JSON.stringify({ event: "ready", url: server.url, model: values.model, auth: Boolean(values["keys-file"]) })}\n`);

let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"] as const)
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`serve: ${sig}, draining\n`);
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`serve: close failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  });
process.on("SIGHUP", () => {});
