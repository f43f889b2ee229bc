import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Admission } from "./admission";
import { ApiError, unauthorized, unavailable } from "./errors";
import * as handlers from "./handlers";
import type { HandlerContext, Reply, ServeLimits } from "./handlers";
import { bearerToken, readJsonBody, sendError, sendJson } from "./http-util";
import { ServeMetrics } from "./metrics";
import { acceptsModel, modelList, modelNames, modelNotFound, modelObject } from "./model-names";
import { ModelSlot } from "./model-slot";
import { openApiDocument } from "./openapi";
import type { FeedbackBody } from "./schemas";
import type { ServingDevice } from "../../server/lib/serving-device";

/**
 * The embedding HTTP server (node:http). No database code: the platform passes callbacks (authenticate,
 * onFeedback). Request path: route → auth (/v1/*) → admission (429) → body (413) → handler (validate, encode via
 * the current model slot, shape) → JSON. /health and /metrics are open (bind the server to a private interface
 * or put a proxy in front if they must not be public).
 */
export interface EmbeddingServerOptions {
  modelDir: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** null = no auth. Returns null for an unknown or revoked key. Called on every /v1 request. */
  authenticate: ((token: string) => Promise<{ keyId: string } | null>) | null;
  onFeedback?: (body: FeedbackBody, meta: { keyId: string | null }) => Promise<void>;
  limits?: Partial<ServeLimits>;
  /** Entries of the LRU cache of recent inputs (0 = off). */
  cacheEntries?: number;
  /** Byte bound of that cache (default 256 MiB). */
  cacheMaxBytes?: number;
  /** onnxruntime intra-op threads per inference worker (0 = all cores). */
  threads?: number;
  /** Inference worker threads, one ONNX session each (default 1; 0 = run onnxruntime on the event loop). */
  inferenceWorkers?: number;
  /** ONNX graph inside model folders (default onnx/model.onnx). */
  onnxFile?: string;
  /** Where the model runs (server/lib/serving-device.ts chooseServingDevice); default onnxruntime's CPU provider. */
  device?: ServingDevice;
  /** Name reported in responses (`model`) and listed by GET /v1/models. */
  modelName?: string;
  /** Other `model` names accepted (e.g. the deployment's id); BGE-M3's own names always are (model-names.ts). */
  modelAliases?: string[];
  /** How long the micro-batcher waits for more inputs before running a batch (default 2 ms). */
  batchWaitMs?: number;
  /** Per-call cost in token-equivalents for splitting batches by length (default: estimated online). */
  batchOverheadTokens?: number;
  /** Test hook: awaited before every model batch. */
  beforeBatch?: () => Promise<void>;
  log?: (line: string) => void;
}

export interface EmbeddingServer {
  url: string;
  /** Loads `modelDir`, switches to it atomically, closes the old model once its in-flight requests are done. */
  swapModel(modelDir: string): Promise<void>;
  /** Stops accepting (new requests get 503, the listener closes), resolves when in-flight requests are done. */
  drain(): Promise<void>;
  /** drain() + release the model. */
  close(): Promise<void>;
  metrics: ServeMetrics;
  /** Point-in-time counters (for tests and the platform's status page). */
  stats(): { inFlight: number; queued: number; pendingInputs: number; modelDir: string; cacheEntries: number };
}

// Inputs and tokens per request are OpenAI's limits (2,048 inputs, 300,000 tokens), so OpenAI clients (LangChain
// sends 512 inputs per request) work unchanged; the body limit is the web app's proxy's (PROXY_MAX_BODY_BYTES),
// so a request the deployment URL forwards is not refused behind it. docs/api.md, "Limits", has the arithmetic.
export const DEFAULT_LIMITS: ServeLimits = {
  maxConcurrentRequests: 64,
  maxBodyBytes: 4 * 1024 * 1024,
  maxInputsPerRequest: 2048,
  maxTokensPerRequest: 300_000,
  maxColbertTokensPerRequest: 16384,
  maxBatchTokens: 16384,
  queueTimeoutMs: 5000,
};

type Handler = (ctx: HandlerContext) => Promise<Reply>;
const ROUTES: Record<string, Handler> = {
  "/v1/embeddings": handlers.embeddings,
  "/embeddings": handlers.embeddings,
  "/v1/encode": handlers.encodeTexts,
  "/v1/score": handlers.score,
  "/v1/feedback": handlers.feedback,
};

export async function createEmbeddingServer(options: EmbeddingServerOptions): Promise<EmbeddingServer> {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const admission = new Admission({
    maxConcurrent: limits.maxConcurrentRequests,
    maxQueued: limits.maxQueuedRequests ?? limits.maxConcurrentRequests,
    queueTimeoutMs: limits.queueTimeoutMs,
  });
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const modelName = options.modelName ?? "bge-m3";
  const models = modelNames(modelName, options.modelAliases);
  let slot: ModelSlot;
  const metrics = new ServeMetrics({
    queued: () => admission.queued + slot.batcher.pending,
    inFlight: () => admission.inFlight,
    cacheEntries: () => slot.cache.size,
  });
  const loadSlot = (dir: string) =>
    ModelSlot.load(dir, {
      threads: options.threads ?? 0,
      inferenceWorkers: options.inferenceWorkers ?? 1,
      onnxFile: options.onnxFile,
      device: options.device,
      maxBatchTokens: limits.maxBatchTokens,
      batchWaitMs: options.batchWaitMs ?? 2,
      batchOverheadTokens: options.batchOverheadTokens,
      cacheEntries: options.cacheEntries ?? 10_000,
      cacheMaxBytes: options.cacheMaxBytes ?? 256 * 1024 * 1024,
      beforeBatch: options.beforeBatch,
      onCache: (hit) => (hit ? metrics.cacheHits : metrics.cacheMisses).inc(),
      onBatch: (b) => {
        metrics.batchTokens.observe(b.paddedTokens);
        metrics.batchSize.observe(b.size);
        metrics.paddedTokens.inc(b.paddedTokens);
        metrics.realTokens.inc(b.realTokens);
        metrics.inference.observe(b.seconds);
      },
    });
  slot = await loadSlot(options.modelDir);

  let draining = false;
  let active = 0; // HTTP requests being handled (all routes)
  const idleWaiters: Array<() => void> = [];
  const done = () => {
    if (--active === 0) for (const w of idleWaiters.splice(0)) w();
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    if (draining) throw unavailable("draining", "server is shutting down; retry on another replica");
    if (path === "/health" && req.method === "GET") {
      const h = await slot.encoder.backend.health();
      const d = slot.device;
      return sendJson(res, h.ok ? 200 : 503, {
        status: h.ok ? "ok" : "unhealthy", model: modelName, dim: slot.dim, max_length: slot.maxLength, backend: h.backend,
        device: d.device, provider: d.provider, precision: d.precision, ...(d.dtype ? { dtype: d.dtype } : {}), detail: h.detail ?? null,
      });
    }
    if (path === "/openapi.json" && req.method === "GET") return sendJson(res, 200, openApiDocument(modelName));
    if (path === "/metrics" && req.method === "GET") {
      const text = await metrics.text();
      res.writeHead(200, { "Content-Type": metrics.registry.contentType });
      return void res.end(text);
    }
    const modelsRoute = path === "/v1/models" || path === "/models" || path.startsWith("/v1/models/");
    const handler = ROUTES[path];
    if (!handler && !modelsRoute) throw new ApiError(404, "not_found_error", "not_found", `no route ${req.method} ${path}`);
    const method = modelsRoute ? "GET" : "POST";
    if (req.method !== method) throw new ApiError(405, "invalid_request_error", "method_not_allowed", `${path} accepts ${method} only`, { Allow: method });
    const keyId = await authenticate(req);
    if (modelsRoute) {
      const created = Math.floor(slot.loadedAt.getTime() / 1000);
      if (!path.startsWith("/v1/models/")) return sendJson(res, 200, modelList(models, created));
      let id: string;
      try {
        id = decodeURIComponent(path.slice("/v1/models/".length));
      } catch {
        throw new ApiError(400, "invalid_request_error", "invalid_request", "model id: not a valid URL-encoded name", {}, "model");
      }
      if (!acceptsModel(models, id)) throw modelNotFound(models, id);
      return sendJson(res, 200, modelObject(models, created));
    }
    if (!handler) throw new ApiError(404, "not_found_error", "not_found", `no route ${req.method} ${path}`);
    const release = await admission.acquire();
    const current = slot; // the slot is pinned for the whole request: a swap never pulls it away mid-request
    const releaseSlot = current.acquire();
    try {
      const body = await readJsonBody(req, limits.maxBodyBytes);
      const reply = await handler({
        body,
        slot: current,
        limits,
        modelName,
        models,
        keyId,
        onFeedback: options.onFeedback,
        onTruncated: (n) => n > 0 && metrics.truncated.inc(n),
      });
      sendJson(res, reply.status ?? 200, reply.body, reply.headers);
    } finally {
      releaseSlot();
      release();
    }
  }

  /** The caller's key id (null without auth); throws 401/503 as an ApiError. */
  async function authenticate(req: IncomingMessage): Promise<string | null> {
    if (!options.authenticate) return null;
    const token = bearerToken(req);
    if (!token) throw unauthorized("missing_api_key", "missing API key: send Authorization: Bearer <key>");
    let who: { keyId: string } | null;
    try {
      who = await options.authenticate(token);
    } catch (e) {
      // A deliberate refusal (e.g. a deployment waiting for Go live) keeps its status and message.
      if (e instanceof ApiError) throw e;
      log(`serve: authenticate failed: ${(e as Error).message}`);
      throw unavailable("auth_unavailable", "cannot check the API key right now; retry later");
    }
    if (!who) throw unauthorized("invalid_api_key", "invalid or revoked API key");
    return who.keyId;
  }

  const server = createServer((req, res) => {
    active++;
    const path = (req.url ?? "/").split("?")[0]!;
    const route = path in ROUTES || path === "/health" || path === "/metrics" || path === "/openapi.json" || path === "/v1/models" ? path : path.startsWith("/v1/models/") ? "/v1/models/{id}" : "other";
    const end = metrics.latency.startTimer({ route });
    res.on("close", () => {
      end();
      metrics.requests.inc({ route, status: String(res.statusCode) });
      done();
    });
    if (draining) res.setHeader("Connection", "close");
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof ApiError ? e : new ApiError(500, "server_error", "internal_error", "internal server error");
      if (!(e instanceof ApiError)) log(`serve: ${req.method} ${path} failed: ${(e as Error).stack ?? String(e)}`);
      metrics.errors.inc({ route, type: err.type });
      if (res.headersSent) return void res.destroy();
      sendError(res, err, draining || err.status === 413 ? { Connection: "close" } : {});
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // a deeper accept backlog than node's 511, so a burst of clients is queued by the kernel rather than dropped
    server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1", backlog: 4096 }, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;

  let swapping: Promise<void> = Promise.resolve();
  let drained: Promise<void> | null = null;
  let closed: Promise<void> | null = null;

  return {
    url,
    metrics,
    stats: () => ({ inFlight: admission.inFlight, queued: admission.queued, pendingInputs: slot.batcher.pending, modelDir: slot.modelDir, cacheEntries: slot.cache.size }),
    swapModel(modelDir: string) {
      // Swaps are serialised; a failed load leaves the current model serving.
      const run = swapping.then(async () => {
        if (draining) throw new Error("server is draining");
        const next = await loadSlot(modelDir);
        const old = slot;
        slot = next;
        metrics.swaps.inc();
        log(`serve: now serving ${modelDir} (was ${old.modelDir})`);
        await old.retire();
      });
      swapping = run.catch(() => undefined);
      return run;
    },
    drain,
    close() {
      closed ??= (async () => {
        await drain();
        await swapping;
        await slot.retire();
      })();
      return closed;
    },
  };

  function drain(): Promise<void> {
    drained ??= (async () => {
      draining = true;
      const listening = new Promise<void>((resolve) => server.close(() => resolve()));
      if (active > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      server.closeIdleConnections();
      server.closeAllConnections(); // every request has been answered by now
      await listening;
    })();
    return drained;
  }
}
