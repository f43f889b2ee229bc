/**
 * Issue #20 (items 1 and 11) through the deployment URL: the web app's route handlers in front of a real embedding
 * server (gpu-worker/serve with the demo model, checking keys with the platform's authenticateApiKey) and LIVE
 * replica rows in a real PostgreSQL. GET /v1/models in OpenAI's shape with the same API-key rule as POST;
 * 2,048 inputs of LangChain-sized chunks fit PROXY_MAX_BODY_BYTES (4 MiB) and are served, a bigger body is 413 at
 * the proxy; unknown model → 404 model_not_found and empty string → 400 pass through in OpenAI's shape;
 * /health is status-only without a key (nothing about the model or replicas) and full with one; /openapi.json
 * needs the key and points its servers at the deployment URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddingServer, type EmbeddingServer } from "~/gpu-worker/serve/server";
import { useModelCopies } from "~/gpu-worker/serve/testing/server-fixture";
import { db } from "../db";
import { env } from "../env";
import { authenticateApiKey } from "../services/deployments/api-keys";
import { callDeployment, getDeployment, getSplit, jsonBody, seedDeployment, seedWorkspace } from "./deployment-proxy.fixture";

const m = useModelCopies();
let server: EmbeddingServer;
let ws: Awaited<ReturnType<typeof seedWorkspace>>;
let served: { id: string; workspaceId: string } | null = null;
let deployment: { id: string; workspaceId: string; name: string };

beforeAll(async () => {
  ws = await seedWorkspace();
  server = await createEmbeddingServer({
    modelDir: m.modelA, host: "127.0.0.1", port: 0, threads: 1,
    // What the serving job passes (gpu-worker/tasks/serve-deployment.ts): the deployment's name and id.
    modelName: "embeddings",
    modelAliases: [],
    authenticate: async (token) => (served ? authenticateApiKey(served, token) : null),
    log: () => {},
  });
  deployment = await seedDeployment(ws, server.url);
  served = deployment;
}, 120_000);
afterAll(async () => server?.close());

type ErrorBody = { error: { message: string; type: string; code: string; param: string | null } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

/** LangChain's default chunk (RecursiveCharacterTextSplitter, chunkSize 1000): ~1,000 characters of prose. */
function chunk(i: number, sentence: string): string {
  let text = `Chunk ${i}. `;
  while (text.length < 1000) text += `${sentence} `;
  return text.slice(0, 1000);
}

describe("GET /v1/models and the OpenAI error shapes through the deployment URL", () => {
  it("GET /v1/models: OpenAI's list with the deployment's name, behind the same API-key rule", async () => {
    const res = await getDeployment(deployment.id, { key: ws.key });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-m3-replica")).toBe("0");
    const body = (await res.json()) as { object: string; data: Array<Record<string, unknown>> };
    expect(body).toMatchObject({ object: "list", data: [{ id: "embeddings", object: "model", owned_by: "m3-studio" }] });
    expect(typeof body.data[0]!.created).toBe("number");

    const anonymous = await getDeployment(deployment.id, {});
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe("missing_api_key");
    const wrong = await getDeployment(deployment.id, { key: "m3_wrong" });
    expect(wrong.status).toBe(401);

    // A model by a name with a slash: encoded in one segment, or split into two as a raw URL would be.
    for (const path of [["models", "BAAI%2Fbge-m3"], ["models", "BAAI", "bge-m3"]]) {
      const one = await getDeployment(deployment.id, { key: ws.key, path });
      expect({ path, status: one.status }).toEqual({ path, status: 200 });
      expect(((await one.json()) as { id: string }).id).toBe("embeddings");
    }
    const unknown = await getDeployment(deployment.id, { key: ws.key, path: ["models", "text-embedding-3-small"] });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("model_not_found");

    const notGet = await getDeployment(deployment.id, { key: ws.key, path: ["embeddings"] });
    expect(notGet.status).toBe(405);
    expect(notGet.headers.get("allow")).toBe("POST");
    expect((await errorOf(notGet)).code).toBe("method_not_allowed");
    const dotted = await getDeployment(deployment.id, { key: ws.key, path: ["models", ".."] });
    expect(dotted.status).toBe(404);
  });

  it("an unknown model is 404 model_not_found and an empty string 400 naming the input, in OpenAI's shape", async () => {
    const wrong = await callDeployment(deployment.id, { key: ws.key, body: jsonBody({ model: "text-embedding-ada-002", input: ["x"] }) });
    expect(wrong.status).toBe(404);
    expect(await errorOf(wrong)).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" });
    for (const model of ["embeddings", "BAAI/bge-m3"]) {
      const ok = await callDeployment(deployment.id, { key: ws.key, body: jsonBody({ model, input: ["x"] }) });
      expect({ model, status: ok.status }).toEqual({ model, status: 200 });
    }
    const empty = await callDeployment(deployment.id, { key: ws.key, body: jsonBody({ model: "embeddings", input: ["fatty liver", ""] }) });
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toMatchObject({ code: "empty_input", param: "input", message: "input[1]: must not be an empty string" });
  });

  it("the truncation header comes back through the proxy", async () => {
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(" ");
    const res = await callDeployment(deployment.id, { key: ws.key, body: jsonBody({ input: ["short", long] }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-m3-truncated-inputs")).toBe("1");
  });
});

describe("2,048 inputs per request through the deployment URL", () => {
  it("2,048 LangChain-sized English chunks (~2 MiB) fit PROXY_MAX_BODY_BYTES and are all embedded", async () => {
    const input = Array.from({ length: 2048 }, (_, i) => chunk(i, "Fatty liver disease is the build-up of fat in liver cells; it is often linked to obesity and diabetes."));
    const bytes = Buffer.byteLength(JSON.stringify({ model: "embeddings", input }));
    expect(env.PROXY_MAX_BODY_BYTES).toBe(4 * 1024 * 1024);
    expect(bytes).toBeLessThan(env.PROXY_MAX_BODY_BYTES);
    const res = await callDeployment(deployment.id, { key: ws.key, body: jsonBody({ model: "embeddings", input }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ index: number; embedding: number[] }> };
    expect(body.data).toHaveLength(2048);
    expect(body.data.every((d, i) => d.index === i && d.embedding.length === 128)).toBe(true);
  }, 300_000);

  it("2,048 chunks of 1,000 Chinese characters (~6 MiB as UTF-8) are over the limit: 413 at the proxy", async () => {
    const input = Array.from({ length: 2048 }, (_, i) => chunk(i, "脂肪肝是指由于各种原因引起的肝细胞内脂肪堆积过多的病变。"));
    const bytes = Buffer.byteLength(JSON.stringify({ input }));
    expect(bytes).toBeGreaterThan(env.PROXY_MAX_BODY_BYTES);
    const res = await callDeployment(deployment.id, { key: ws.key, body: jsonBody({ input }) });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: "body_too_large", type: "invalid_request_error" });
  });
});

describe("/health and /openapi.json at the deployment URL", () => {
  it("/health without a key says only whether the deployment is up; unknown ids are 404, a deployment without a live replica 503", async () => {
    const res = await getDeployment(deployment.id, { route: "health" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" }); // no model name, dim, backend or replica address
    expect(res.headers.get("cache-control")).toBe("no-store");
    const notLive = await seedDeployment(ws);
    const down = await getDeployment(notLive.id, { route: "health" });
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "unavailable" });
    expect((await getDeployment("made-up-id", { route: "health" })).status).toBe(404);
  });

  it("/health with the key is a replica's own answer plus the live replica count; a wrong key is 401", async () => {
    const res = await getDeployment(deployment.id, { route: "health", key: ws.key });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", model: "embeddings", dim: 128, max_length: 128, replicas: { live: 1 } });
    expect((await getDeployment(deployment.id, { route: "health", key: "m3_wrong" })).status).toBe(401);
  });

  it("/openapi.json needs the key and describes this URL, including GET /v1/models", async () => {
    expect((await getDeployment(deployment.id, { route: "openapi.json" })).status).toBe(401);
    const res = await getDeployment(deployment.id, { route: "openapi.json", key: ws.key });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; servers: Array<{ url: string }>; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers.map((s) => s.url)).toEqual([`/api/deployments/${deployment.id}`]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/embeddings", "/v1/models", "/health"]));
  });

  it("a traffic split: GET /v1/models, /health and /openapi.json of its variant", async () => {
    const b = await seedDeployment(ws, server.url);
    const split = await db.trafficSplit.create({ data: { workspaceId: ws.workspaceId, name: "ab", deploymentAId: deployment.id, deploymentBId: b.id, weightB: 0, createdById: ws.ownerId } });
    const models = await getSplit(split.id, { key: ws.key });
    expect(models.status).toBe(200);
    expect(models.headers.get("x-m3-variant")).toBe("A");
    expect(((await models.json()) as { data: Array<{ id: string }> }).data[0]!.id).toBe("embeddings");
    const health = await getSplit(split.id, { route: "health" });
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await getSplit("made-up-split", { route: "health" })).status).toBe(404);
    const doc = (await (await getSplit(split.id, { route: "openapi.json", key: ws.key })).json()) as { servers: Array<{ url: string }> };
    expect(doc.servers.map((s) => s.url)).toEqual([`/api/splits/${split.id}`]);
  });
});
