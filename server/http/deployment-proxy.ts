import { createHash } from "node:crypto";
import { db } from "../db";
import { isHealthy } from "../services/deployments/replicas";
import { recordSplitRequest } from "../services/deployments/split-stats";

/**
 * The web app's router in front of the serving processes (deploy/README.md, "Replicas and A/B splits"):
 *   /api/deployments/<id>/v1/…  → one healthy replica of the deployment (round robin; a replica that
 *                                  refuses the connection or answers 502/503 is skipped and the next tried)
 *   /api/splits/<id>/v1/…       → deployment A or B by the split's weight, sticky per user, then as above.
 * It keeps no state beyond 1-second caches of the database rows: any number of web processes can route.
 * Authentication stays with the serving process (the Authorization header is forwarded as is).
 */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const CACHE_MS = 1000;
const FORWARD_HEADERS = ["authorization", "content-type", "accept", "x-request-id"];
const RETURN_HEADERS = ["content-type", "retry-after", "www-authenticate"];

type Target = { index: number; url: string };
const replicaCache = new Map<string, { at: number; targets: Target[] }>();
const splitCache = new Map<string, { at: number; split: { deploymentAId: string; deploymentBId: string; weightB: number } | null }>();
const cursor = new Map<string, number>();

async function liveTargets(deploymentId: string): Promise<Target[]> {
  const hit = replicaCache.get(deploymentId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.targets;
  const rows = await db.deploymentReplica.findMany({ where: { deploymentId, status: "LIVE", url: { not: null } }, orderBy: { index: "asc" } });
  const targets = rows.filter((r) => isHealthy(r)).map((r) => ({ index: r.index, url: r.url! }));
  replicaCache.set(deploymentId, { at: Date.now(), targets });
  return targets;
}

function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type: status === 404 ? "not_found_error" : "unavailable_error", code, param: null } }, { status, headers });
}

function safePath(path: string[]): string | null {
  if (path.length === 0 || path.some((p) => !/^[a-z0-9_-]+$/i.test(p))) return null;
  return `/v1/${path.join("/")}`;
}

async function readBody(request: Request): Promise<ArrayBuffer | Response> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return jsonError(413, "body_too_large", `request body over ${MAX_BODY_BYTES} bytes`);
  const body = await request.arrayBuffer();
  return body.byteLength > MAX_BODY_BYTES ? jsonError(413, "body_too_large", `request body over ${MAX_BODY_BYTES} bytes`) : body;
}

/** Forwards to the deployment's healthy replicas in turn until one answers (not 502/503). */
async function forward(deploymentId: string, path: string, request: Request, body: ArrayBuffer): Promise<Response> {
  const targets = await liveTargets(deploymentId);
  if (targets.length === 0) return jsonError(503, "no_live_replica", "this deployment has no live replica right now", { "Retry-After": "1" });
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

export async function proxyToDeployment(request: Request, deploymentId: string, pathParts: string[]): Promise<Response> {
  const path = safePath(pathParts);
  if (!path) return jsonError(404, "not_found", "unknown route");
  const body = await readBody(request);
  if (body instanceof Response) return body;
  return forward(deploymentId, path, request, body);
}

/** Which variant a caller gets: hash(split, X-User or else the API key) → [0, 100) < weightB → B. */
export function chooseVariant(splitId: string, stickyKey: string | null, weightB: number): "A" | "B" {
  const bucket = stickyKey
    ? parseInt(createHash("sha256").update(`${splitId}\0${stickyKey}`).digest("hex").slice(0, 8), 16) / 2 ** 32 * 100
    : Math.random() * 100;
  return bucket < weightB ? "B" : "A";
}

export async function proxyToSplit(request: Request, splitId: string, pathParts: string[]): Promise<Response> {
  const path = safePath(pathParts);
  if (!path) return jsonError(404, "not_found", "unknown route");
  let hit = splitCache.get(splitId);
  if (!hit || Date.now() - hit.at >= CACHE_MS) {
    const split = await db.trafficSplit.findUnique({ where: { id: splitId }, select: { deploymentAId: true, deploymentBId: true, weightB: true } });
    hit = { at: Date.now(), split };
    splitCache.set(splitId, hit);
  }
  if (!hit.split) return jsonError(404, "not_found", "no such traffic split");
  const body = await readBody(request);
  if (body instanceof Response) return body;
  const auth = request.headers.get("authorization");
  const variant = chooseVariant(splitId, request.headers.get("x-user") ?? auth, hit.split.weightB);
  const started = performance.now();
  const response = await forward(variant === "A" ? hit.split.deploymentAId : hit.split.deploymentBId, path, request, body);
  recordSplitRequest(splitId, variant, performance.now() - started, response.status >= 500);
  response.headers.set("x-m3-variant", variant);
  return response;
}
