/**
 * The deployment proxy in front of a real embedding server (gpu-worker/serve on 127.0.0.1 with the demo model,
 * checking keys with the platform's authenticateApiKey, as a serving job does) and LIVE replica rows in a real
 * PostgreSQL: authenticated requests and splits are forwarded with their Authorization header; a key scoped to
 * another deployment is refused before its body is read; and at most PROXY_MAX_CONCURRENT requests are in the
 * proxy at once (429 with Retry-After beyond, nothing of the refused body read). Requests are held in flight with
 * bodies the test releases, never with sleeps.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  // Set before server/env.ts is first imported (it reads the environment once).
  process.env.PROXY_MAX_CONCURRENT = "2";
});

import { createEmbeddingServer, type EmbeddingServer } from "~/gpu-worker/serve/server";
import { useModelCopies } from "~/gpu-worker/serve/testing/server-fixture";
import { db } from "../db";
import { authenticateApiKey, createApiKey } from "../services/deployments/api-keys";
import { callDeployment, callSplit, countingBody, heldJsonBody, jsonBody, seedDeployment, seedWorkspace } from "./deployment-proxy.fixture";

const m = useModelCopies();
const request = { model: "demo", input: ["What is BGE M3?"] };
let server: EmbeddingServer;
let ws: Awaited<ReturnType<typeof seedWorkspace>>;
let servedDeployment: { id: string; workspaceId: string } | null = null;
let deployment: { id: string; workspaceId: string };

beforeAll(async () => {
  ws = await seedWorkspace();
  server = await createEmbeddingServer({
    modelDir: m.modelA, host: "127.0.0.1", port: 0, threads: 1, modelName: "demo",
    // The serving job's own check: the key must be one of this deployment's workspace.
    authenticate: async (token) => (servedDeployment ? authenticateApiKey(servedDeployment, token) : null),
    log: () => {},
  });
  deployment = await seedDeployment(ws, server.url);
  servedDeployment = deployment;
});
afterAll(async () => server?.close());

async function embeddingOf(res: Response): Promise<number[]> {
  const body = (await res.json()) as { data: { embedding: number[] }[] };
  return body.data[0]!.embedding;
}

describe("deployment proxy → real serving process", () => {
  it("forwards an authenticated request with its Authorization header (the serving process checks the key again)", async () => {
    const res = await callDeployment(deployment.id, { key: ws.key, body: jsonBody(request) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-m3-replica")).toBe("0");
    expect(await embeddingOf(res)).toHaveLength(128);
  });

  it("routes a split to its variant and checks the key against that variant's deployment", async () => {
    const b = await seedDeployment(ws, server.url);
    const split = await db.trafficSplit.create({ data: { workspaceId: ws.workspaceId, name: "ab", deploymentAId: deployment.id, deploymentBId: b.id, weightB: 100, createdById: ws.ownerId } });
    const res = await callSplit(split.id, { key: ws.key, body: jsonBody(request) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-m3-variant")).toBe("B");
    expect(await embeddingOf(res)).toHaveLength(128);

    const onlyA = await createApiKey({ workspaceId: ws.workspaceId, userId: ws.ownerId, name: "a only", deploymentIds: [deployment.id] });
    const body = countingBody(64 * 1024 * 1024);
    const refused = await callSplit(split.id, { key: onlyA.key, body: body.stream });
    expect(refused.status).toBe(401);
    expect({ pulled: body.pulled(), cancelled: body.cancelled() }).toEqual({ pulled: 0, cancelled: true });
  });

  it("caps concurrent proxied requests at PROXY_MAX_CONCURRENT: 429 with Retry-After beyond it, body unread; slots come back", async () => {
    const first = heldJsonBody(request);
    const second = heldJsonBody(request);
    const inFlight = [
      callDeployment(deployment.id, { key: ws.key, body: first.stream }),
      callDeployment(deployment.id, { key: ws.key, body: second.stream }),
    ];
    await Promise.all([first.started, second.started]);

    const extra = countingBody(300 * 1024 * 1024);
    const refused = await callDeployment(deployment.id, { key: ws.key, body: extra.stream });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("proxy_overloaded");
    expect({ pulled: extra.pulled(), cancelled: extra.cancelled() }).toEqual({ pulled: 0, cancelled: true });

    first.release();
    second.release();
    const answers = await Promise.all(inFlight);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    // Both slots were given back.
    const after = await Promise.all([0, 1].map(() => callDeployment(deployment.id, { key: ws.key, body: jsonBody(request) })));
    expect(after.map((r) => r.status)).toEqual([200, 200]);
  });
});
