/**
 * Deployment traffic from the serving metrics to the page's query: a real ServeMetrics registry (the one
 * /metrics exports) read into snapshots, written as samples to PostgreSQL, and read back through the tRPC
 * procedure as per-replica series — scoped to the workspace.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/server/db";
import { callerFor, createUser, createWorkspaceWith } from "~/server/testing/factories";
import { codeOf } from "~/server/testing/trpc-codes";
import { recordTrafficSample } from "~/server/services/deployments/traffic";
import { ServeMetrics } from "../serve/metrics";
import { trafficSnapshot } from "./traffic-snapshot";

let ownerId: string;
let workspaceId: string;
beforeAll(async () => {
  ownerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
});

const newMetrics = () => new ServeMetrics({ queued: () => 0, inFlight: () => 0, cacheEntries: () => 0 });

describe("traffic snapshot of a serving registry", () => {
  it("counts API requests by outcome and leaves the platform's probes out", async () => {
    const m = newMetrics();
    for (let i = 0; i < 5; i++) m.requests.inc({ route: "/health", status: "200" });
    m.requests.inc({ route: "/metrics", status: "200" });
    m.requests.inc({ route: "/v1/embeddings", status: "200" }, 6);
    m.requests.inc({ route: "/v1/embeddings", status: "429" }, 2);
    m.requests.inc({ route: "/v1/embeddings", status: "401" });
    m.requests.inc({ route: "/v1/score", status: "500" });
    m.latency.observe({ route: "/health" }, 9); // a slow probe must not move the API latency
    m.latency.observe({ route: "/v1/embeddings" }, 0.004);
    m.latency.observe({ route: "/v1/score" }, 0.2);
    m.batchSize.observe(8);
    m.batchTokens.observe(300);
    m.cacheHits.inc(3);
    m.cacheMisses.inc(5);
    const s = await trafficSnapshot(m);
    expect({ requests: s.requests, rateLimited: s.rateLimited, clientErrors: s.clientErrors, serverErrors: s.serverErrors }).toEqual({ requests: 10, rateLimited: 2, clientErrors: 1, serverErrors: 1 });
    expect(s.latencySeconds.count).toBe(2);
    expect(s.latencySeconds.sum).toBeCloseTo(0.204);
    expect(s.latencySeconds.counts[s.latencySeconds.le.indexOf(0.005)]).toBe(1);
    expect(s.latencySeconds.counts.at(-1)).toBe(2); // 10 s bound: the 9 s probe is not there
    expect(s.batchSize).toMatchObject({ count: 1, sum: 8 });
    expect(s.batchTokens).toMatchObject({ count: 1, sum: 300 });
    expect({ hits: s.cacheHits, misses: s.cacheMisses }).toEqual({ hits: 3, misses: 5 });
  });
});

describe("traffic.deployment", () => {
  it("returns per-replica series from the samples, only to the deployment's workspace", async () => {
    const deployment = await db.deployment.create({ data: { workspaceId, name: "traffic", modelDir: "/models/x", modelLabel: "x", createdById: ownerId, replicas: 2, status: "LIVE" } });
    const t0 = Date.now() - 20_000;
    for (const replica of [0, 1]) {
      const m = newMetrics();
      await recordTrafficSample({ deploymentId: deployment.id, replica, counters: await trafficSnapshot(m), at: new Date(t0) });
      m.requests.inc({ route: "/v1/embeddings", status: "200" }, 10 * (replica + 1));
      for (let i = 0; i < 10; i++) m.latency.observe({ route: "/v1/embeddings" }, 0.02);
      m.batchSize.observe(4);
      await recordTrafficSample({ deploymentId: deployment.id, replica, counters: await trafficSnapshot(m), at: new Date(t0 + 5000) });
    }
    const owner = callerFor(ownerId);
    const { replicas } = await owner.traffic.deployment({ workspaceId, deploymentId: deployment.id, windowSeconds: 600 });
    expect(replicas.map((r) => r.replica)).toEqual([0, 1]);
    expect(replicas.map((r) => r.series.requestsPerS.map((p) => p[1]))).toEqual([[2], [4]]);
    const p50 = replicas[0]!.series.p50LatencyMs[0]![1];
    expect(p50).toBeGreaterThan(10); // in the 10–25 ms bucket
    expect(p50).toBeLessThanOrEqual(25);
    expect(replicas[0]!.series.meanBatchSize.map((p) => p[1])).toEqual([4]);
    expect(replicas[0]!.series.cacheHitRate).toEqual([]); // no cache lookups: no rate, not 0 %

    const otherOwner = (await createUser()).id;
    const otherWs = (await createWorkspaceWith([{ userId: otherOwner, role: "OWNER" }])).id;
    expect(await codeOf(callerFor(otherOwner).traffic.deployment({ workspaceId: otherWs, deploymentId: deployment.id }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(otherOwner).traffic.deployment({ workspaceId, deploymentId: deployment.id }))).not.toBe("OK");
  });

  it("prunes samples past the retention when it writes", async () => {
    const deployment = await db.deployment.create({ data: { workspaceId, name: "prune", modelDir: "/models/x", modelLabel: "x", createdById: ownerId, status: "LIVE" } });
    const counters = await trafficSnapshot(newMetrics());
    await recordTrafficSample({ deploymentId: deployment.id, replica: 0, counters, at: new Date(Date.now() - 2 * 3600_000) });
    await recordTrafficSample({ deploymentId: deployment.id, replica: 0, counters });
    expect(await db.deploymentTrafficSample.count({ where: { deploymentId: deployment.id } })).toBe(1);
  });
});
