import { createHash } from "node:crypto";
import { db } from "../db";
import { env } from "../env";
import { isHealthy } from "../services/deployments/replicas";
import { recordSplitRequest } from "../services/deployments/split-stats";
import { createConcurrencyCap } from "./proxy-admission";
import { checkApiKey, findSplitFor, type KeyCheck, type Refusal } from "./proxy-auth";
import { declaredLength, discardBody, readBoundedBody } from "./proxy-body";
import { TtlCache } from "./ttl-cache";

/**
 * The web app's router in front of the serving processes (deploy/README.md, "Replicas and A/B splits"):
 *   /api/deployments/<id>/v1/…  → one healthy replica of the deployment (round robin; a replica that
 *                                  refuses the connection or answers 502/503 is skipped and the next tried)
 *   /api/splits/<id>/v1/…       → deployment A or B by the split's weight, sticky per user, then as above.
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
const FORWARD_HEADERS = ["authorization", "content-type", "accept", "x-request-id"];
const RETURN_HEADERS = ["content-type", "retry-after", "www-authenticate"];

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
  401: "authentication_error", 404: "not_found_error", 413: "invalid_request_error", 429: "rate_limit_error",
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

function safePath(path: string[]): string | null {
  if (path.length === 0 || path.some((p) => !/^[a-z0-9_-]+$/i.test(p))) return null;
  return `/v1/${path.join("/")}`;
}

/** Forwards to the deployment's healthy replicas in turn until one answers (not 502/503). */
async function forward(deploymentId: string, targets: Target[], path: string, request: Request, body: Uint8Array<ArrayBuffer>): Promise<Response> {
  const start = (cursor.get(deploymentId) ?? 0) % targets.length;
  cursor.set(deploymentId, start + 1);
  const headers = new Headers();
  for (const h of FORWARD_HEADERS) {
    const v = request.headers.get(h);
    if (v) headers.set(h, v);
  }
  let last: Response | null = null;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[(start + i) % targets.length]!;
    try {
      const upstream = await fetch(`${target.url}${path}`, { method: "POST", headers, body, signal: AbortSignal.timeout(60_000) });
      const out = new Headers({ "x-m3-replica": String(target.index) });
      for (const h of RETURN_HEADERS) {
        const v = upstream.headers.get(h);
        if (v) out.set(h, v);
      }
      last = new Response(await upstream.arrayBuffer(), { status: upstream.status, headers: out });
      if (upstream.status !== 502 && upstream.status !== 503) return last;
    } catch {
      // Connection refused or reset: the replica's worker is gone; drop it until the next refresh.
      replicaCache.delete(deploymentId);
    }
  }
  return last ?? jsonError(502, "replicas_unreachable", "no replica of this deployment could be reached", { "Retry-After": "1" });
}

/**
 * Admits the request for `deploymentId` (key, then a live replica), reads its bounded body and forwards it.
 * Runs inside a concurrency slot; every refusal before the body is read goes through `refuse`.
 */
async function admitAndForward(request: Request, deploymentId: string, path: string, viaSplit?: string): Promise<Response> {
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
  const path = safePath(pathParts);
  if (!path) return refuse(request, jsonError(404, "not_found", "unknown route"));
  return inSlot(request, () => admitAndForward(request, deploymentId, path));
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

export async function proxyToSplit(request: Request, splitId: string, pathParts: string[]): Promise<Response> {
  const path = safePath(pathParts);
  if (!path) return refuse(request, jsonError(404, "not_found", "unknown route"));
  return inSlot(request, async () => {
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
    const response = await admitAndForward(request, variant === "A" ? split.deploymentAId : split.deploymentBId, path, splitId);
    recordSplitRequest(splitId, variant, performance.now() - started, response.status >= 500);
    response.headers.set("x-m3-variant", variant);
    return response;
  });
}
