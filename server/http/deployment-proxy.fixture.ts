/**
 * What the deployment-proxy tests share: request bodies that record how much of them was read, the route
 * handlers (POST and GET /v1/…, /health, /openapi.json) called with real Request objects, and seeded deployments
 * (a workspace, its key, a replica row).
 */
import { GET as deploymentHealthRoute } from "~/app/api/deployments/[deploymentId]/health/route";
import { GET as deploymentOpenApiRoute } from "~/app/api/deployments/[deploymentId]/openapi.json/route";
import { GET as deploymentGetRoute, POST as deploymentRoute } from "~/app/api/deployments/[deploymentId]/v1/[...path]/route";
import { GET as splitHealthRoute } from "~/app/api/splits/[splitId]/health/route";
import { GET as splitOpenApiRoute } from "~/app/api/splits/[splitId]/openapi.json/route";
import { GET as splitGetRoute, POST as splitRoute } from "~/app/api/splits/[splitId]/v1/[...path]/route";
import { db } from "../db";
import { createApiKey } from "../services/deployments/api-keys";
import { createUser, createWorkspaceWith } from "../testing/factories";

const CHUNK = 64 * 1024;

/**
 * A body of `totalBytes` generated on demand, one 64 KiB chunk per read. highWaterMark 0: nothing is produced
 * until the reader asks, so `pulled()` is exactly what the proxy read; `cancelled()` says it gave the stream up.
 */
export function countingBody(totalBytes: number) {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= totalBytes) return controller.close();
        const n = Math.min(CHUNK, totalBytes - pulled);
        pulled += n;
        controller.enqueue(new Uint8Array(n).fill(0x20));
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

export const CHUNK_BYTES = CHUNK;

/** A small JSON body, streamed as a client would send it. */
export function jsonBody(value: unknown) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return new ReadableStream<Uint8Array>({ start(c) { c.enqueue(bytes); c.close(); } });
}

/**
 * A JSON body that stays in flight until the test calls `release()`: `started` resolves once the proxy asks for
 * its first bytes (so the request is inside the proxy, holding its slot), and nothing is sent before release.
 */
export function heldJsonBody(value: unknown) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let firstPull: () => void = () => {};
  const started = new Promise<void>((resolve) => (firstPull = resolve));
  let sent = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        firstPull();
        await released;
        if (sent) return controller.close();
        sent = true;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, started, release };
}

interface CallOptions {
  key?: string | null;
  body?: ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  path?: string[];
}

function request(url: string, { key = null, body, headers = {} }: CallOptions): Request {
  const all: Record<string, string> = { "content-type": "application/json", ...headers };
  if (key) all.authorization = `Bearer ${key}`;
  // duplex "half": a streamed request body, as Next hands the route an incoming chunked POST.
  return new Request(url, { method: "POST", headers: all, body: body ?? null, duplex: "half" } as RequestInit);
}

/** POST /api/deployments/<id>/v1/<path> through the route handler. */
export function callDeployment(deploymentId: string, opts: CallOptions = {}): Promise<Response> {
  const path = opts.path ?? ["embeddings"];
  const req = request(`http://127.0.0.1/api/deployments/${deploymentId}/v1/${path.join("/")}`, opts);
  return deploymentRoute(req, { params: Promise.resolve({ deploymentId, path }) });
}

/** POST /api/splits/<id>/v1/<path> through the route handler. */
export function callSplit(splitId: string, opts: CallOptions = {}): Promise<Response> {
  const path = opts.path ?? ["embeddings"];
  const req = request(`http://127.0.0.1/api/splits/${splitId}/v1/${path.join("/")}`, opts);
  return splitRoute(req, { params: Promise.resolve({ splitId, path }) });
}

function getRequest(url: string, { key = null, headers = {} }: CallOptions): Request {
  const all: Record<string, string> = { ...headers };
  if (key) all.authorization = `Bearer ${key}`;
  return new Request(url, { method: "GET", headers: all });
}

/** GET /api/deployments/<id>/v1/<path> (default: models), or /health or /openapi.json with `route`. */
export function getDeployment(deploymentId: string, opts: CallOptions & { route?: "v1" | "health" | "openapi.json" } = {}): Promise<Response> {
  const route = opts.route ?? "v1";
  if (route === "health") return deploymentHealthRoute(getRequest(`http://127.0.0.1/api/deployments/${deploymentId}/health`, opts), { params: Promise.resolve({ deploymentId }) });
  if (route === "openapi.json") return deploymentOpenApiRoute(getRequest(`http://127.0.0.1/api/deployments/${deploymentId}/openapi.json`, opts), { params: Promise.resolve({ deploymentId }) });
  const path = opts.path ?? ["models"];
  return deploymentGetRoute(getRequest(`http://127.0.0.1/api/deployments/${deploymentId}/v1/${path.join("/")}`, opts), { params: Promise.resolve({ deploymentId, path }) });
}

/** The same for /api/splits/<id>/…. */
export function getSplit(splitId: string, opts: CallOptions & { route?: "v1" | "health" | "openapi.json" } = {}): Promise<Response> {
  const route = opts.route ?? "v1";
  if (route === "health") return splitHealthRoute(getRequest(`http://127.0.0.1/api/splits/${splitId}/health`, opts), { params: Promise.resolve({ splitId }) });
  if (route === "openapi.json") return splitOpenApiRoute(getRequest(`http://127.0.0.1/api/splits/${splitId}/openapi.json`, opts), { params: Promise.resolve({ splitId }) });
  const path = opts.path ?? ["models"];
  return splitGetRoute(getRequest(`http://127.0.0.1/api/splits/${splitId}/v1/${path.join("/")}`, opts), { params: Promise.resolve({ splitId, path }) });
}

/** A workspace with an owner and one key for all its deployments. */
export async function seedWorkspace() {
  const owner = await createUser();
  const workspace = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }]);
  const key = await createApiKey({ workspaceId: workspace.id, userId: owner.id, name: "client", deploymentIds: [] });
  return { ownerId: owner.id, workspaceId: workspace.id, key: key.key, keyId: key.id };
}

/**
 * A deployment of the workspace; with `liveUrl`, one LIVE replica there whose health check is dated in the
 * future, so it stays in rotation however long the test takes (no clock in the test).
 */
export async function seedDeployment(ws: { workspaceId: string; ownerId: string }, liveUrl?: string) {
  const deployment = await db.deployment.create({
    data: { workspaceId: ws.workspaceId, name: "embeddings", modelDir: "/nonexistent/model", modelLabel: "test", createdById: ws.ownerId, status: liveUrl ? "LIVE" : "STARTING", url: liveUrl ?? null },
  });
  if (liveUrl) {
    await db.deploymentReplica.create({
      data: { deploymentId: deployment.id, index: 0, status: "LIVE", url: liveUrl, healthAt: new Date(Date.now() + 24 * 3600_000) },
    });
  }
  return deployment;
}
