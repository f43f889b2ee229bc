/**
 * Issue #13, finding 2 (and the invalid-key flood of finding 10): the deployment proxy admits a request — key,
 * deployment, live replica — before it reads a byte of the body, reads an admitted body only up to
 * PROXY_MAX_BODY_BYTES (default 4 MiB), and stops looking keys up for an address over its failure budget.
 * Through the two route handlers with real Request objects on a real PostgreSQL; the bodies record how much of
 * them the proxy pulled. (The forwarding path and the concurrency cap, with a real serving process, are in
 * deployment-proxy-forward.test.ts.)
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  // Set before server/env.ts is first imported (it reads the environment once).
  process.env.M3_TRUSTED_PROXY = "true";
  process.env.PROXY_FAILED_KEYS_PER_MINUTE = "5";
});

import { db } from "../db";
import { createApiKey, revokeApiKey } from "../services/deployments/api-keys";
import { clientAddress } from "./client-address";
import { callDeployment, callSplit, CHUNK_BYTES, countingBody, jsonBody, seedDeployment, seedWorkspace } from "./deployment-proxy.fixture";

const MiB = 1024 * 1024;
/** Nothing listens on the discard port: a request that got as far as forwarding gets 502 from the proxy. */
const NOWHERE = "http://127.0.0.1:9";
let addressCounter = 0;
/** A fresh client address per request unless a test means to share one (the failure budget is per address). */
const fresh = () => ({ "x-forwarded-for": `198.51.100.${++addressCounter}` });

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
let other: Awaited<ReturnType<typeof seedWorkspace>>;
let live: { id: string };
let notLive: { id: string };

beforeAll(async () => {
  ws = await seedWorkspace();
  other = await seedWorkspace();
  live = await seedDeployment(ws, NOWHERE);
  notLive = await seedDeployment(ws);
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; type: string; message: string } }).error;
}

describe("deployment proxy: admission before the body", () => {
  it("refuses unauthenticated 300 MiB bodies (made-up ids, missing, wrong, foreign, revoked keys) without reading a byte", async () => {
    const revoked = await createApiKey({ workspaceId: ws.workspaceId, userId: ws.ownerId, name: "old", deploymentIds: [] });
    await revokeApiKey({ workspaceId: ws.workspaceId, keyId: revoked.id });
    const split = await db.trafficSplit.create({ data: { workspaceId: ws.workspaceId, name: "ab", deploymentAId: live.id, deploymentBId: live.id, weightB: 50, createdById: ws.ownerId } });
    const cases: { name: string; call: (body: ReadableStream<Uint8Array>) => Promise<Response>; status: number; code: string }[] = [
      { name: "made-up deployment, no key", call: (body) => callDeployment("made-up-id", { body, headers: fresh() }), status: 401, code: "missing_api_key" },
      { name: "made-up deployment, some key", call: (body) => callDeployment("made-up-id", { key: "m3_guess", body, headers: fresh() }), status: 404, code: "not_found" },
      { name: "live deployment, no key", call: (body) => callDeployment(live.id, { body, headers: fresh() }), status: 401, code: "missing_api_key" },
      { name: "live deployment, wrong key", call: (body) => callDeployment(live.id, { key: "m3_wrong", body, headers: fresh() }), status: 401, code: "invalid_api_key" },
      { name: "live deployment, another workspace's key", call: (body) => callDeployment(live.id, { key: other.key, body, headers: fresh() }), status: 401, code: "invalid_api_key" },
      { name: "live deployment, revoked key", call: (body) => callDeployment(live.id, { key: revoked.key, body, headers: fresh() }), status: 401, code: "invalid_api_key" },
      { name: "deployment without a live replica, valid key", call: (body) => callDeployment(notLive.id, { key: ws.key, body, headers: fresh() }), status: 503, code: "no_live_replica" },
      { name: "unknown route", call: (body) => callDeployment(live.id, { key: ws.key, body, path: ["..", "admin"], headers: fresh() }), status: 404, code: "not_found" },
      { name: "made-up split", call: (body) => callSplit("made-up-split", { key: ws.key, body, headers: fresh() }), status: 404, code: "not_found" },
      { name: "split, no key", call: (body) => callSplit(split.id, { body, headers: fresh() }), status: 401, code: "missing_api_key" },
    ];
    for (const c of cases) {
      const body = countingBody(300 * MiB);
      const res = await c.call(body.stream);
      expect({ case: c.name, status: res.status, code: (await errorOf(res)).code }).toEqual({ case: c.name, status: c.status, code: c.code });
      expect({ case: c.name, pulled: body.pulled(), cancelled: body.cancelled() }).toEqual({ case: c.name, pulled: 0, cancelled: true });
    }
  });

  it("reads an admitted body only up to PROXY_MAX_BODY_BYTES (default 4 MiB): 413 right after the limit, or at once from Content-Length", async () => {
    const streamed = countingBody(300 * MiB);
    const res = await callDeployment(live.id, { key: ws.key, body: streamed.stream, headers: fresh() });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: "body_too_large", message: `request body over ${4 * MiB} bytes` });
    expect(streamed.pulled()).toBeGreaterThan(4 * MiB);
    expect(streamed.pulled()).toBeLessThanOrEqual(4 * MiB + CHUNK_BYTES);
    expect(streamed.cancelled()).toBe(true);

    const declared = countingBody(300 * MiB);
    const early = await callDeployment(live.id, { key: ws.key, body: declared.stream, headers: { ...fresh(), "content-length": String(300 * MiB) } });
    expect(early.status).toBe(413);
    expect({ pulled: declared.pulled(), cancelled: declared.cancelled() }).toEqual({ pulled: 0, cancelled: true });

    // Exactly the limit is allowed through to forwarding (nothing listens there: 502 from the proxy).
    const atLimit = countingBody(4 * MiB);
    const forwarded = await callDeployment(live.id, { key: ws.key, body: atLimit.stream, headers: fresh() });
    expect(forwarded.status).toBe(502);
    expect(atLimit.pulled()).toBe(4 * MiB);
  });

  it("answers 429 without a key lookup once an address is over its failed-key budget; known keys and other addresses still pass", async () => {
    const flooder = { "x-forwarded-for": "203.0.113.7" };
    const neverUsed = await createApiKey({ workspaceId: ws.workspaceId, userId: ws.ownerId, name: "new", deploymentIds: [] });
    const ok = (key: string, headers: Record<string, string>) => callDeployment(notLive.id, { key, body: jsonBody({ input: "x" }), headers });
    // A key that passed from this address before the flood (503: admitted, but the deployment has no live replica).
    expect((await ok(ws.key, flooder)).status).toBe(503);
    for (let i = 0; i < 5; i++) expect((await ok(`m3_flood_${i}`, flooder)).status).toBe(401);

    const lookups = vi.spyOn(db.apiKey, "findUnique");
    const body = countingBody(300 * MiB);
    const refused = await callDeployment(notLive.id, { key: "m3_flood_more", body: body.stream, headers: flooder });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(refused)).toMatchObject({ type: "rate_limit_error", code: "too_many_failed_keys" });
    expect({ pulled: body.pulled(), cancelled: body.cancelled() }).toEqual({ pulled: 0, cancelled: true });
    // Even a valid key never seen here is refused unlooked-up: the proxy cannot tell it from the flood.
    expect((await ok(neverUsed.key, flooder)).status).toBe(429);
    expect(lookups).not.toHaveBeenCalled();

    expect((await ok(ws.key, flooder)).status).toBe(503);
    expect((await ok(neverUsed.key, fresh())).status).toBe(503);
    expect((await ok("m3_wrong_elsewhere", fresh())).status).toBe(401);
    expect(lookups).toHaveBeenCalled(); // the spy does see the lookups that are made
  });

  it("counts made-up split ids as failed lookups too; a key that passed through a real split still passes there", async () => {
    const prober = { "x-forwarded-for": "203.0.113.8" };
    const split = await db.trafficSplit.create({ data: { workspaceId: ws.workspaceId, name: "ab", deploymentAId: notLive.id, deploymentBId: notLive.id, weightB: 50, createdById: ws.ownerId } });
    const viaSplit = () => callSplit(split.id, { key: ws.key, body: jsonBody({}), headers: prober });
    expect((await viaSplit()).status).toBe(503); // admitted; no live replica
    for (let i = 0; i < 5; i++) expect((await callSplit(`made-up-split-${i}`, { key: ws.key, body: jsonBody({}), headers: prober })).status).toBe(404);
    const lookups = vi.spyOn(db.trafficSplit, "findUnique");
    const refused = await callSplit("made-up-split-more", { key: ws.key, body: jsonBody({}), headers: prober });
    expect(refused.status).toBe(429);
    expect(lookups).not.toHaveBeenCalled();
    expect((await viaSplit()).status).toBe(503);
  });
});

describe("clientAddress with M3_TRUSTED_PROXY=true", () => {
  const at = (xff?: string) => clientAddress(new Request("http://127.0.0.1/", xff === undefined ? {} : { headers: { "x-forwarded-for": xff } }));
  it("takes the last X-Forwarded-For address (the proxy's own), and one shared bucket when it is missing or not an address", () => {
    expect(at("198.51.100.20, 10.0.0.1")).toBe("10.0.0.1");
    expect(at("2001:DB8::1")).toBe("2001:db8::1");
    expect(at()).toBe("unknown");
    expect(at("not-an-address")).toBe("unknown");
  });
});
