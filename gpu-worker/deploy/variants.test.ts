import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../server/db";
import { proxyToDeployment, proxyToSplit } from "../../server/http/deployment-proxy";
import { flushSplitStats } from "../../server/services/deployments/split-stats";
import { ensureDemoModel, importMedquad } from "../../server/services/experiments/testing/fixtures";
import { useTempArtifacts } from "../../server/testing/datasets";
import { callerFor, createUser, createWorkspaceWith } from "../../server/testing/factories";
import { spawnWorker, waitFor, type SpawnedWorker } from "../testing/spawn-worker";

/**
 * Precision, replicas and A/B splits through two real worker processes and the web app's router:
 * an fp32 deployment with 2 replicas lands on both workers; an int8 deployment measures its accuracy
 * cost and waits for Go live; a 30/70 split routes ~30% of users to B, sticky, with per-variant counts
 * and latency; killing one replica's worker leaves the 2-replica deployment serving.
 */
let workers: SpawnedWorker[] = [];
let workspaceId: string;
let ownerId: string;
let evalVersionId: string;

beforeAll(async () => {
  ensureDemoModel();
  await useTempArtifacts();
  ownerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
  evalVersionId = (await importMedquad(workspaceId, ownerId, { train: 10, evalQueries: 60, distractors: 90 })).evalVersionId;
  const env = { ARTIFACTS_DIR: process.env.ARTIFACTS_DIR!, WORKER_JOB_TYPES: "serve_deployment", M3_BASE_MODEL: ensureDemoModel(), OMP_NUM_THREADS: "1" };
  workers = await Promise.all([spawnWorker(env), spawnWorker(env)]);
}, 600_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
});

const post = (route: (r: Request) => Promise<Response>, key: string, user?: string) =>
  route(new Request("http://web.test/v1/embeddings", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...(user ? { "x-user": user } : {}) },
    // BGE-M3's own name: accepted by every deployment whatever its name (gpu-worker/serve/model-names.ts).
    body: JSON.stringify({ model: "BAAI/bge-m3", input: ["脂肪肝怎么治疗？", "What is BGE M3?"] }),
  }));

async function waitStatus(id: string, status: string) {
  return waitFor(async () => {
    const d = await db.deployment.findUniqueOrThrow({ where: { id } });
    if (d.status === "FAILED") throw new Error(d.statusMessage ?? "failed");
    return d.status === status ? d : null;
  }, 180_000, status);
}

describe("deployment variants", () => {
  it("replicas on two workers, int8 accuracy gate, a weighted sticky split, failover", async () => {
    const owner = callerFor(ownerId);
    const key = await owner.deployment.createApiKey({ workspaceId, name: "ab", deploymentIds: [] });

    // fp16 needs a GPU worker: none here.
    await expect(owner.deployment.create({ workspaceId, name: "half", model: { kind: "default" }, precision: "fp16" })).rejects.toThrow(/GPU worker/);
    expect((await owner.deployment.options({ workspaceId })).precisions.find((p) => p.precision === "fp16")?.available).toBe(false);

    const a = await owner.deployment.create({ workspaceId, name: "fp32-x2", model: { kind: "default" }, replicas: 2 });
    const b = await owner.deployment.create({ workspaceId, name: "int8", model: { kind: "default" }, precision: "int8", evalVersionId });

    // Two replicas, two different workers, both healthy and listed.
    await waitStatus(a.id, "LIVE");
    const listed = await waitFor(async () => {
      const d = await owner.deployment.get({ workspaceId, deploymentId: a.id });
      return d.replicaList.length === 2 && d.replicaList.every((r) => r.healthy) ? d.replicaList : null;
    }, 120_000, "two healthy replicas");
    expect(new Set(listed.map((r) => r.workerId))).toEqual(new Set(workers.map((w) => w.id)));
    expect(new Set(listed.map((r) => r.url)).size).toBe(2);
    expect(listed.every((r) => r.startedAt)).toBe(true);

    // int8: measured against fp32 on the evaluation version, shown, then waits for Go live.
    const waiting = await waitStatus(b.id, "AWAITING_APPROVAL");
    const detail = await owner.deployment.get({ workspaceId, deploymentId: b.id });
    const check = detail.accuracyCheck as { status: string; queries: number; fp32: Record<string, number>; int8: Record<string, number>; deltaPct: Record<string, number> };
    expect(check.status).toBe("done");
    expect(check.queries).toBe(60);
    expect(check.fp32["ndcg@10"]).toBeGreaterThan(0.05);
    expect(check.int8["ndcg@10"]).toBeGreaterThan(0.05);
    expect(check.deltaPct["ndcg@10"]).toBeCloseTo(((check.int8["ndcg@10"]! - check.fp32["ndcg@10"]!) / check.fp32["ndcg@10"]!) * 100, 6);
    expect(detail.logs.some((l) => /parity probe \(int8\).*min cosine 0\.99/.test(l.message))).toBe(true);
    const refused = await fetch(`${waiting.url}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" }, body: JSON.stringify({ input: ["x"] }) });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("awaiting_go_live");
    await owner.deployment.goLive({ workspaceId, deploymentId: b.id, acknowledgeDrop: check.deltaPct["ndcg@10"]! < -2 });
    await waitStatus(b.id, "LIVE");

    // A 30% split to B: ~30% of 200 users, each user always on the same variant.
    const split = await owner.deployment.createSplit({ workspaceId, name: "fp32 vs int8", deploymentAId: a.id, deploymentBId: b.id, weightB: 30 });
    const route = (r: Request) => proxyToSplit(r, split.id, ["embeddings"]);
    const seen = new Map<string, string>();
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    for (let i = 0; i < users.length; i += 8) {
      await Promise.all(users.slice(i, i + 8).map(async (u) => {
        const res = await post(route, key.key, u);
        expect(res.status).toBe(200);
        seen.set(u, res.headers.get("x-m3-variant")!);
      }));
    }
    for (const u of users.slice(0, 5)) expect((await post(route, key.key, u)).headers.get("x-m3-variant")).toBe(seen.get(u));
    const toB = [...seen.values()].filter((v) => v === "B").length;
    // Binomial(200, 0.3): mean 60, sd 6.5; ±4 sd.
    expect(toB).toBeGreaterThan(34);
    expect(toB).toBeLessThan(86);
    await flushSplitStats();
    const stats = await owner.deployment.split({ workspaceId, splitId: split.id });
    const byVariant = Object.fromEntries(stats.variants.map((v) => [v.variant, v]));
    const extraB = users.slice(0, 5).filter((u) => seen.get(u) === "B").length;
    expect(byVariant.B!.requests).toBe(toB + extraB);
    expect(byVariant.A!.requests).toBe(205 - toB - extraB);
    expect(byVariant.A!.errors + byVariant.B!.errors).toBe(0);
    expect(byVariant.A!.meanLatencyMs).toBeGreaterThan(0);
    expect(byVariant.B!.p95Ms).not.toBeNull();
    expect(byVariant.B!.weight).toBe(30);

    // Kill the worker that runs only a replica of A (not B's): A keeps serving through its other replica.
    const bWorker = (await db.deploymentReplica.findFirstOrThrow({ where: { deploymentId: b.id } })).workerId;
    const victim = workers.find((w) => w.id !== bWorker)!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await post((r) => proxyToDeployment(r, a.id, ["embeddings"]), key.key)).status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const after = await waitFor(async () => {
      const rows = (await owner.deployment.get({ workspaceId, deploymentId: a.id })).replicaList;
      return rows.filter((r) => r.healthy).length === 1 ? rows : null;
    }, 30_000, "one healthy replica");
    expect(after.find((r) => r.healthy)!.workerId).toBe(bWorker);
    expect((await db.deployment.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("LIVE");
  }, 420_000);
});
