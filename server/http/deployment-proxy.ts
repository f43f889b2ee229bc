import { createHash } from "node:crypto";
import { db } from "../db";
import { env } from "../env";
import { isHealthy } from "../services/deployments/replicas";
import { recordSplitRequest } from "../services/deployments/split-stats";
import { createConcurrencyCap } from "./proxy-admission";
import { checkApiKey, deploymentExists, findOpenly, findSplitFor, type KeyCheck, type Refusal } from "./proxy-auth";
import { declaredLength, discardBody, readBoundedBody } from "./proxy-body";
import { TtlCache } from "./ttl-cache";

/**
 * The web app's router in front of the serving processes (deploy/README.md, "Replicas and A/B splits"):
 *   /api/deployments/<id>/v1/…  → one healthy replica of the deployment (round robin; a replica that
 *                                  refuses the connection or answers 502/503 is skipped and the next tried):
 *                                  POST for the API, GET for /v1/models[/<name>]
 *   /api/splits/<id>/v1/…       → deployment A or B by the split's weight, sticky per user, then as above.
 *   …/openapi.json              → a replica's OpenAPI document, its `servers` re-pointed at this URL (key needed)
 *   …/health                    → without a key only {status} from the replica rows (no replica is contacted);
 *                                  with a key, a replica's own /health (model, dim, backend) plus the live count.
 * It keeps no state beyond 1-second caches of the database rows: any number of web processes can route.
 *
 * Nothing of a request's body is read until the request is admitted, in this order (docs/security.md):
 * a known route → a free slot (PROXY_MAX_CONCURRENT, else 429) → an API key of the deployment's workspace
 * (proxy-auth.ts: 401, 404 for an unknown deployment or split, 429 once the address's failed lookups are over
 * PROXY_FAILED_KEYS_PER_MINUTE) → a declared Content-Length within PROXY_MAX_BODY_BYTES (413) → a live replica
 * (503). A refused request's body stream is cancelled unread. Only then is the body read, counted chunk by chunk
 * and cut off with 413 as soon as it passes PROXY_MAX_BODY_BYTES.
 * The Authorization header is still forwarded: the serving process checks the key again.
 */
const CACHE_MS = 1000;
/**
 * How long one replica may take to answer. A request of 2,048 inputs (300,000 tokens) takes minutes on a CPU
 * replica of full-size BGE-M3; a timed-out request is answered 504, never re-sent to another replica (it would
 * double the work of a request the client has probably given up on).
 */
const UPSTREAM_TIMEOUT_MS = 5 * 60_000;
const FORWARD_HEADERS = ["authorization", "content-type", "accept", "x-request-id"];
const RETURN_HEADERS = ["content-type", "retry-after", "www-authenticate", "allow", "x-m3-truncated-inputs"];

type Target = { index: number; url: string };
type Split = { deploymentAId: string; deploymentBId: string; weightB: number };
// Both keyed by ids from the URL: bounded, so made-up ids cannot grow them without limit.
const replicaCache = new TtlCache<string, Target[]>(CACHE_MS);
const splitCache = new TtlCache<string, Split | null>(CACHE_MS);
const cursor = new Map<string, number>();
const slots = createConcurrencyCap(env.PROXY_MAX_CONCURRENT);

async function liveTargets(deploymentId: string): Promise<Target[]> {
  const hit = replicaCache.get(deploymentId);
  if (hit) return hit.value;
  const rows = await db.deploymentReplica.findMany({ where: { deploymentId, status: "LIVE", url: { not: null } }, orderBy: { index: "asc" } });
  const targets = rows.filter((r) => isHealthy(r)).map((r) => ({ index: r.index, url: r.url! }));
  replicaCache.set(deploymentId, targets);
  return targets;
}

const ERROR_TYPES: Record<number, string> = {
  401: "authentication_error", 404: "not_found_error", 405: "invalid_request_error", 413: "invalid_request_error", 429: "rate_limit_error",
};

function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const type = ERROR_TYPES[status] ?? "unavailable_error";
  return Response.json({ error: { message, type, code, param: null } }, { status, headers });
}

/** An answer given before the body was read: the body stream is cancelled so none of it is buffered. */
function refuse(request: Request, response: Response): Response {
  discardBody(request);
  return response;
}

const BEARER = { "WWW-Authenticate": 'Bearer realm="m3-deployments"' };

function keyRefusal(check: Refusal): Response {
  switch (check.reason) {
    case "missing_key": return jsonError(401, "missing_api_key", "missing API key: send Authorization: Bearer <key>", BEARER);
    case "invalid_key": return jsonError(401, "invalid_api_key", "invalid or revoked API key for this deployment", BEARER);
    case "unknown_deployment": return jsonError(404, "not_found", "no such deployment");
    case "unknown_split": return jsonError(404, "not_found", "no such traffic split");
    case "too_many_failures":
      return jsonError(429, "too_many_failed_keys", "too many requests with an invalid API key from this address; retry later", { "Retry-After": String(check.retryAfterSeconds) });
  }
}

const tooLarge = () => jsonError(413, "body_too_large", `request body over ${env.PROXY_MAX_BODY_BYTES} bytes`);

/** A path segment as the client meant it (Next may hand it over decoded or not), re-encoded for the replica. */
function segment(raw: string): string | null {
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded === "" || decoded === "." || decoded === "..") return null;
  return encodeURIComponent(decoded);
}

const isModelsPath = (path: string) => path === "/v1/models" || path.startsWith("/v1/models/");

/**
 * The replica path for `/v1/<parts>` and the request's method, or the refusal: segments are re-encoded (no
 * `..`, `?` or `#` reaches the replica); GET only for /v1/models (405 with Allow otherwise).
 */
function routeOf(request: Request, parts: string[]): string | Response {
  const segments = parts.map(segment);
  if (segments.length === 0 || segments.some((p) => p === null)) return refuse(request, jsonError(404, "not_found", "unknown route"));
  const path = `/v1/${segments.join("/")}`;
  if (request.method === "GET" && !isModelsPath(path))
    return jsonError(405, "method_not_allowed", `${path} accepts POST only`, { Allow: "POST" });
  return path;
}

/** Forwards to the deployment's healthy replicas in turn until one answers (not 502/503). */
async function forward(deploymentId: string, targets: Target[], path: string, request: Request, body: Uint8Array<ArrayBuffer> | null): Promise<Response> {
  const start = (cursor.get(deploymentId) ?? 0) % targets.length;
  cursor.set(deploymentId, start + 1);
  const headers = new Headers();
  for (const h of FORWARD_HEADERS) {
    const v = request.headers.get(h);
    if (v) headers.set(h, v);
  }
  const method = body === null ? "GET" : "POST";
  let last: Response | null = null;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[(start + i) % targets.length]!;
    try {
      const upstream = await fetch(`${target.url}${path}`, { method, headers, body, signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
      const out = new Headers({ "x-m3-replica": String(target.index) });
      for (const h of RETURN_HEADERS) {
        const v = upstream.headers.get(h);
        if (v) out.set(h, v);
      }
      last = new Response(await upstream.arrayBuffer(), { status: upstream.status, headers: out });
      if (upstream.status !== 502 && upstream.status !== 503) return last;
    } catch (e) {
      if (e instanceof DOMException && e.name === "TimeoutError")
        return jsonError(504, "replica_timeout", `the replica did not answer within ${UPSTREAM_TIMEOUT_MS / 1000} s; send fewer inputs per request`);
      // Connection refused or reset: the replica's worker is gone; drop it until the next refresh.
      replicaCache.delete(deploymentId);
    }
  }
  return last ?? jsonError(502, "replicas_unreachable", "no replica of this deployment could be reached", { "Retry-After": "1" });
}

/**
 * Admits the request for `deploymentId` (key, then a live replica), reads its bounded body (POST) and forwards it
 * (`after` may reshape the replica's answer; it gets the live replica count). Runs inside a concurrency slot;
 * every refusal before the body is read goes through `refuse`.
 */
type After = (response: Response, liveReplicas: number) => Promise<Response>;
async function admitAndForward(request: Request, deploymentId: string, path: string, viaSplit?: string, after?: After): Promise<Response> {
  let check: KeyCheck;
  try {
    check = await checkApiKey(request, deploymentId, viaSplit);
  } catch {
    return refuse(request, jsonError(503, "auth_unavailable", "cannot check the API key right now; retry later", { "Retry-After": "1" }));
  }
  if (!check.ok) return refuse(request, keyRefusal(check));
  const declared = declaredLength(request);
  if (declared !== null && declared > env.PROXY_MAX_BODY_BYTES) return refuse(request, tooLarge());
  const targets = await liveTargets(deploymentId);
  if (targets.length === 0) return refuse(request, jsonError(503, "no_live_replica", "this deployment has no live replica right now", { "Retry-After": "1" }));
  if (request.method === "GET") {
    const response = await forward(deploymentId, targets, path, request, null);
    return after ? after(response, targets.length) : response;
  }
  const body = await readBoundedBody(request, env.PROXY_MAX_BODY_BYTES);
  if (body === "too_large") return tooLarge();
  return forward(deploymentId, targets, path, request, body);
}

/** Runs `handle` in one of the process's PROXY_MAX_CONCURRENT slots, or answers 429 without reading the body. */
async function inSlot(request: Request, handle: () => Promise<Response>): Promise<Response> {
  const release = slots.tryEnter();
  if (!release) return refuse(request, jsonError(429, "proxy_overloaded", "too many requests in flight; retry shortly", { "Retry-After": "1" }));
  try {
    return await handle();
  } finally {
    release();
  }
}

export async function proxyToDeployment(request: Request, deploymentId: string, pathParts: string[]): Promise<Response> {
  const path = routeOf(request, pathParts);
  if (path instanceof Response) return path;
  return inSlot(request, () => admitAndForward(request, deploymentId, path));
}

/** A replica's OpenAPI document with its `servers` replaced by this URL (relative: it resolves on this origin). */
const pointServersAt = (base: string, description: string): After => async (response) => {
  if (response.status !== 200) return response;
  const doc = (await response.json()) as Record<string, unknown>;
  doc.servers = [{ url: base, description }];
  return Response.json(doc, { headers: { "x-m3-replica": response.headers.get("x-m3-replica") ?? "" } });
};

/** GET /api/deployments/<id>/openapi.json: the same API-key rule as /v1/*. */
export async function deploymentOpenApi(request: Request, deploymentId: string): Promise<Response> {
  const after = pointServersAt(`/api/deployments/${encodeURIComponent(deploymentId)}`, "this deployment, balanced across its healthy replicas");
  return inSlot(request, () => admitAndForward(request, deploymentId, "/openapi.json", undefined, after));
}

/** A replica's /health plus how many replicas are live (the caller has a key: the model details are theirs). */
const withReplicaCount: After = async (response, live) => {
  if (!(response.headers.get("content-type") ?? "").includes("json")) return response;
  const body = (await response.json()) as Record<string, unknown>;
  const headers: Record<string, string> = { "x-m3-replica": response.headers.get("x-m3-replica") ?? "" };
  if (response.headers.get("retry-after")) headers["Retry-After"] = response.headers.get("retry-after")!;
  return Response.json({ ...body, replicas: { live } }, { status: response.status, headers });
};

/**
 * Status only, for callers without a key (uptime checks, load balancers): 200 {status:"ok"} when at least one
 * replica is live and healthy, else 503 {status:"unavailable"}. Read from the replica rows; nothing else is said
 * (no model name, no replica address) and no replica is contacted.
 */
async function openStatus(deploymentIds: string[]): Promise<Response> {
  const live = await Promise.all(deploymentIds.map(async (id) => (await liveTargets(id)).length > 0));
  return live.every(Boolean)
    ? Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } })
    : Response.json({ status: "unavailable" }, { status: 503, headers: { "Cache-Control": "no-store", "Retry-After": "1" } });
}

/** GET /api/deployments/<id>/health: status only without a key; with one, a replica's /health (key checked). */
export async function deploymentHealth(request: Request, deploymentId: string): Promise<Response> {
  return inSlot(request, async () => {
    if (!request.headers.get("authorization")) {
      let found: Awaited<ReturnType<typeof findOpenly>>;
      try {
        found = await findOpenly(request, () => deploymentExists(deploymentId), "unknown_deployment");
      } catch {
        return jsonError(503, "auth_unavailable", "cannot read the deployment right now; retry later", { "Retry-After": "1" });
      }
      if (!found.ok) return keyRefusal(found);
      return openStatus([deploymentId]);
    }
    return admitAndForward(request, deploymentId, "/health", undefined, withReplicaCount);
  });
}

/** Which variant a caller gets: hash(split, X-User or else the API key) → [0, 100) < weightB → B. */
export function chooseVariant(splitId: string, stickyKey: string | null, weightB: number): "A" | "B" {
  const bucket = stickyKey
    ? parseInt(createHash("sha256").update(`${splitId}\0${stickyKey}`).digest("hex").slice(0, 8), 16) / 2 ** 32 * 100
    : Math.random() * 100;
  return bucket < weightB ? "B" : "A";
}

async function findSplit(splitId: string): Promise<Split | null> {
  const hit = splitCache.get(splitId);
  if (hit) return hit.value;
  const split = await db.trafficSplit.findUnique({ where: { id: splitId }, select: { deploymentAId: true, deploymentBId: true, weightB: true } });
  splitCache.set(splitId, split);
  return split;
}

/** Routes one request of a split to its variant (key checked against the variant's deployment), then as above. */
async function viaSplit(request: Request, splitId: string, path: string, after?: (variant: "A" | "B") => After): Promise<Response> {
  let found: Awaited<ReturnType<typeof findSplitFor<Split>>>;
  try {
    found = await findSplitFor(request, splitId, findSplit);
  } catch {
    return refuse(request, jsonError(503, "split_unavailable", "cannot read the traffic split right now; retry later", { "Retry-After": "1" }));
  }
  if (!found.ok) return refuse(request, keyRefusal(found));
  const { split } = found;
  const auth = request.headers.get("authorization");
  const variant = chooseVariant(splitId, request.headers.get("x-user") ?? auth, split.weightB);
  const started = performance.now();
  // The key is checked against the variant's deployment (a key scoped to A alone is refused on B).
  const response = await admitAndForward(request, variant === "A" ? split.deploymentAId : split.deploymentBId, path, splitId, after?.(variant));
  recordSplitRequest(splitId, variant, performance.now() - started, response.status >= 500);
  response.headers.set("x-m3-variant", variant);
  return response;
}

export async function proxyToSplit(request: Request, splitId: string, pathParts: string[]): Promise<Response> {
  const path = routeOf(request, pathParts);
  if (path instanceof Response) return path;
  return inSlot(request, () => viaSplit(request, splitId, path));
}

/** GET /api/splits/<id>/openapi.json: a variant's document (the key rule of the split's /v1/* routes). */
export async function splitOpenApi(request: Request, splitId: string): Promise<Response> {
  const base = `/api/splits/${encodeURIComponent(splitId)}`;
  return inSlot(request, () => viaSplit(request, splitId, "/openapi.json", () => pointServersAt(base, "an A/B traffic split between two deployments (response header x-m3-variant)")));
}

/**
 * GET /api/splits/<id>/health: without a key, {status} — ok only when both deployments have a live replica;
 * with a key, the variant's replica /health like a deployment's.
 */
export async function splitHealth(request: Request, splitId: string): Promise<Response> {
  return inSlot(request, async () => {
    if (!request.headers.get("authorization")) {
      let split: Split | null = null;
      let found: Awaited<ReturnType<typeof findOpenly>>;
      try {
        found = await findOpenly(request, async () => (split = await findSplit(splitId)), "unknown_split");
      } catch {
        return jsonError(503, "split_unavailable", "cannot read the traffic split right now; retry later", { "Retry-After": "1" });
      }
      if (!found.ok || !split) return keyRefusal(found.ok ? { ok: false, reason: "unknown_split" } : found);
      const s = split as Split;
      return openStatus([s.deploymentAId, s.deploymentBId]);
    }
    return viaSplit(request, splitId, "/health", () => withReplicaCount);
  });
}
