import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../server/db";
import { callerFor, createUser, createWorkspaceWith } from "../../server/testing/factories";
import { spawnWorker, waitFor, type SpawnedWorker } from "../testing/spawn-worker";

/**
 * One-click deployment through the real worker: deploy the demo model, wait for LIVE (health +
 * parity probe), call it with an API key, revoke the key, switch models and roll back while
 * requests keep flowing (none may fail), undeploy.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
let worker: SpawnedWorker;
let workspaceId: string;
let ownerId: string;

beforeAll(async () => {
  if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) {
    const built = spawnSync("bash", ["scripts/build-demo-model.sh"], { cwd: ROOT, stdio: "inherit" });
    if (built.status !== 0) throw new Error("demo model build failed");
  }
  ownerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
  worker = await spawnWorker({ WORKER_JOB_TYPES: "serve_deployment", M3_BASE_MODEL: DEMO });
}, 600_000);

afterAll(async () => {
  worker.child.kill("SIGTERM");
  await worker.exited;
});

async function embed(url: string, key: string | null, input: string[]) {
  return fetch(`${url}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model: "embeddings", input }),
  });
}

describe("deployments", () => {
  it("deploy → LIVE → call with a key → revoke → switch and roll back without failed requests → undeploy", async () => {
    const owner = callerFor(ownerId);
    // A second model folder (a copy of the demo model) to switch to and roll back from.
    // Under the configured model root (vitest.config.ts M3_MODEL_ROOTS): the worker serves only allowed folders.
    mkdirSync(process.env.M3_MODEL_ROOTS!, { recursive: true });
    const copy = mkdtempSync(path.join(process.env.M3_MODEL_ROOTS!, "m3-model-copy-"));
    cpSync(DEMO, copy, { recursive: true });
    const second = await db.baseModel.create({
      data: { workspaceId, name: "demo-copy", dir: copy, architecture: "XLMRobertaModel", dim: 128, maxLength: 128, vocabSize: 8000, layers: 2, parameters: 1n, createdById: ownerId },
    });
    const models = await owner.deployment.models({ workspaceId });
    expect(models.map((m) => m.ref.kind).sort()).toEqual(["base", "default"]);

    const key = await owner.deployment.createApiKey({ workspaceId, name: "rag", deploymentIds: [] });
    const created = await owner.deployment.create({ workspaceId, name: "embeddings", model: { kind: "default" }, acceptFeedback: true });
    const live = await waitFor(async () => {
      const d = await db.deployment.findUniqueOrThrow({ where: { id: created.id } });
      if (d.status === "FAILED") throw new Error(d.statusMessage ?? "failed");
      return d.status === "LIVE" ? d : null;
    }, 120_000, "LIVE");
    expect(live.statusMessage).toMatch(/^parity /);
    const url = live.url!;
    // Where it runs, on this CPU-only host: the page's data (from the worker's capabilities) and /health agree.
    const shown = await owner.deployment.get({ workspaceId, deploymentId: created.id });
    expect(shown.replicaList[0]!.serving).toEqual({ device: "cpu", provider: "cpu", precision: "fp32", dtype: null });
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ device: "cpu", provider: "cpu", precision: "fp32" });
    expect(shown.logs.some((l) => l.message.startsWith("parity probe (fp32) vs PyTorch: max |served − PyTorch| dense "))).toBe(true);

    const ok = await embed(url, key.key, ["What is BGE M3?", "脂肪肝怎么治疗？"]);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { data: { embedding: number[] }[] };
    expect(body.data).toHaveLength(2);
    expect(body.data[0]!.embedding).toHaveLength(128);
    expect((await embed(url, null, ["x"])).status).toBe(401);
    expect((await embed(url, "m3_wrong", ["x"])).status).toBe(401);

    // Switch to the copy and roll back while a client keeps calling: no request may fail.
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) statuses.push((await embed(url, key.key, ["continuous traffic during the switch"])).status);
    })();
    await owner.deployment.switchModel({ workspaceId, deploymentId: created.id, model: { kind: "base", id: second.id } });
    await waitFor(async () => (await owner.deployment.get({ workspaceId, deploymentId: created.id })).logs.some((l) => l.message.includes("now serving base: demo-copy")), 60_000, "switch");
    await owner.deployment.rollback({ workspaceId, deploymentId: created.id });
    await waitFor(async () => (await owner.deployment.get({ workspaceId, deploymentId: created.id })).logs.filter((l) => l.message.startsWith("now serving")).length >= 2, 60_000, "rollback");
    stop = true;
    await traffic;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await db.deployment.findUniqueOrThrow({ where: { id: created.id } })).modelDir).toBe(live.modelDir);

    await owner.deployment.revokeApiKey({ workspaceId, keyId: key.id });
    expect((await embed(url, key.key, ["x"])).status).toBe(401);

    await owner.deployment.undeploy({ workspaceId, deploymentId: created.id });
    await waitFor(async () => (await db.deployment.findUniqueOrThrow({ where: { id: created.id } })).status === "STOPPED", 30_000, "STOPPED");
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 300_000);
});
