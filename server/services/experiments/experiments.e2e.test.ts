import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { useTempArtifacts } from "../../testing/datasets";
import { spawnWorker, waitWhileAdvancing, type SpawnedWorker } from "../../../gpu-worker/testing/spawn-worker";
import { ensureDemoModel, importMedquad } from "./testing/fixtures";
import type { PerQuery } from "./evaluations";

/**
 * End to end, no mocks of our parts: register the demo model, import MedQuAD training pairs and a held-out
 * evaluation set (the demo model's test ids), run a short LoRA run and a short unified run through the real
 * worker and trainer on CPU, evaluate every checkpoint, and compare with the base on the held-out split.
 */
let worker: SpawnedWorker;
let caller: ReturnType<typeof callerFor>;
let workspaceId: string;
let baseModelId: string;
let trainVersionId: string;
let evalVersionId: string;

beforeAll(async () => {
  await useTempArtifacts();
  const modelDir = ensureDemoModel();
  const user = await createUser();
  const ws = await createWorkspaceWith([{ userId: user.id, role: "OWNER" }]);
  workspaceId = ws.id;
  caller = callerFor(user.id);
  const model = await caller.model.register({ workspaceId, name: "demo-m3", dir: modelDir });
  baseModelId = model.id;
  ({ trainVersionId, evalVersionId } = await importMedquad(workspaceId, user.id));
  worker = await spawnWorker({ ARTIFACTS_DIR: process.env.ARTIFACTS_DIR!, WORKER_JOB_TYPES: "train,evaluate_subjects", OMP_NUM_THREADS: "2" });
}, 180_000);

afterAll(async () => {
  worker?.child.kill("SIGTERM");
  await worker?.exited;
});

// How far a run got: any change (a step, a phase, the job's progress line) counts as advancing.
const runProgress = async (id: string) => {
  const r = await db.experiment.findUnique({ where: { id } });
  const job = r?.jobId ? await db.job.findUnique({ where: { id: r.jobId }, select: { progressMessage: true } }) : null;
  return `${r?.status}/${r?.phase}/${r?.lastStep}/${job?.progressMessage}`;
};

const finished = (id: string) =>
  waitWhileAdvancing(async () => {
    const r = await db.experiment.findUnique({ where: { id } });
    if (r?.status === "FAILED") throw new Error(`run failed: ${r.error}\n${worker.output().slice(-3000)}`);
    return r?.status === "SUCCEEDED" ? r : null;
  }, () => runProgress(id), { what: `run ${id}` }).catch(async (e: Error) => {
    const r = await db.experiment.findUnique({ where: { id } });
    const logs = r?.jobId ? await db.jobLog.findMany({ where: { jobId: r.jobId }, orderBy: { id: "asc" } }) : [];
    const job = r?.jobId ? await db.job.findUnique({ where: { id: r.jobId } }) : null;
    throw new Error(`${e.message}\n${JSON.stringify({ status: r?.status, phase: r?.phase, step: r?.lastStep, job: job?.status, progress: job?.progressMessage, at: job?.updatedAt, hb: job?.heartbeatAt, now: new Date() })}\n${logs.map((l) => `${l.createdAt.toISOString()} ${l.message}`).join("\n")}\n${worker.output().slice(-3000)}`);
  });

describe("experiments end to end", () => {
  it("registration validates the folder: a folder without heads is refused", async () => {
    await expect(caller.model.register({ workspaceId, name: "bad", dir: "/tmp" })).rejects.toThrow(/missing/);
    const models = await caller.model.list({ workspaceId });
    expect(models[0]).toMatchObject({ name: "demo-m3", architecture: "XLMRobertaModel", dim: 128, maxLength: 128 });
  });

  it("a unified run beats the base model significantly on held-out nDCG@10, a LoRA run is compared honestly, and the comparison shows the evaluation's numbers", async () => {
    const t0 = Date.now();
    const common = { workspaceId, baseModelId, trainVersionId, evalVersionId };
    const lora = await caller.experiment.create({
      ...common, name: "lora quick", preset: "lora_quick",
      config: { maxSteps: 96, saveSteps: 48, batchSize: 16, trainGroupSize: 2, learningRate: 3e-3, lora: { r: 16, alpha: 32, dropout: 0.05, targetModules: ["query", "key", "value", "dense"] }, maxPassageLength: 128, device: "cpu", warmupRatio: 0, evalModes: ["dense", "sparse"] },
    });
    const unified = await caller.experiment.create({
      ...common, name: "unified", preset: "full_unified",
      // The demo model is pre-trained on medical Q&A (data/demo/), so a win over it takes a real step size and
      // enough steps: on 2026-12-04's demo model 96 steps at 5e-4 gave +0.034 (p 0.10), 192 steps +0.064 (p 0.002).
      config: { maxSteps: 192, saveSteps: 96, batchSize: 16, trainGroupSize: 2, learningRate: 5e-4, maxPassageLength: 128, gradientCheckpointing: false, device: "cpu", warmupRatio: 0, evalModes: ["dense", "sparse"] },
    });
    expect(lora.config).toMatchObject({ mode: "dense", lora: { r: 16, alpha: 32 } });
    expect(unified.config).toMatchObject({ mode: "unified", lora: null });
    const [loraRun, unifiedRun] = [await finished(lora.id), await finished(unified.id)];
    const seconds = (Date.now() - t0) / 1000;

    // Metric history: one row per step, 1..N, no gaps.
    for (const run of [loraRun, unifiedRun]) {
      const steps = (await db.metricPoint.findMany({ where: { experimentId: run.id, name: "loss" }, orderBy: { step: "asc" } })).map((p) => p.step);
      expect(steps).toEqual(Array.from({ length: run.totalSteps! }, (_, i) => i + 1));
      const ckpts = await db.checkpoint.findMany({ where: { experimentId: run.id }, orderBy: { step: "asc" } });
      expect(ckpts.map((c) => c.step)).toEqual([run.totalSteps! / 2, run.totalSteps!]);
      expect(ckpts.filter((c) => c.isBest)).toHaveLength(1);
      expect(run.bestCheckpointId).toBe(ckpts.find((c) => c.isBest)!.id);
    }

    const cmp = await caller.experiment.compare({ workspaceId, subjects: [`base:${baseModelId}`, `run:${lora.id}`, `run:${unified.id}`] });
    expect(cmp.modes).toEqual(["dense", "sparse"]);
    const ndcg = cmp.table.dense!.find((r) => r.metric === "ndcg@10")!;
    const mrr = cmp.table.dense!.find((r) => r.metric === "mrr@10")!;
    // The comparison shows exactly what the evaluation job stored.
    for (const [i, s] of cmp.subjects.entries()) {
      const stored = await db.evaluationResult.findFirst({ where: { subjectKind: s.kind, subjectId: s.id, mode: "dense", evalVersionId }, orderBy: { createdAt: "desc" } });
      expect(ndcg.values[i]).toBe((stored!.mean as Record<string, number>)["ndcg@10"]);
      expect((stored!.perQuery as unknown as PerQuery).ids).toHaveLength(200);
    }
    console.log(
      `[experiments e2e] ${seconds.toFixed(0)} s; dense nDCG@10 base ${ndcg.values[0]!.toFixed(4)}, LoRA ${ndcg.values[1]!.toFixed(4)} (p=${ndcg.p[1]}), unified ${ndcg.values[2]!.toFixed(4)} (p=${ndcg.p[2]}); ` +
        `MRR@10 base ${mrr.values[0]!.toFixed(4)}, LoRA ${mrr.values[1]!.toFixed(4)}, unified ${mrr.values[2]!.toFixed(4)}`,
    );
    // The full unified fine-tune wins, and not by a lucky margin: significant on nDCG@10 and MRR@10.
    expect(ndcg.values[2]!).toBeGreaterThan(ndcg.values[0]!);
    expect(ndcg.p[2]!).toBeLessThan(0.05);
    expect(mrr.values[2]!).toBeGreaterThan(mrr.values[0]!);
    expect(mrr.p[2]!).toBeLessThan(0.05);
    // LoRA is not asserted to win: over this demo model (pre-trained on the same medical Q&A) no LoRA setting tried
    // (lr 2e-4..5e-3, r 8/16, 96/192 steps) beat it significantly (best +0.009, p 0.67; lr 1e-3 lost 0.031, p 0.015).
    // The comparison must report that honestly: its Δ is the difference of what was stored, with a real p-value.
    expect(ndcg.delta[1]).toBeCloseTo(ndcg.values[1]! - ndcg.values[0]!, 10);
    expect(ndcg.delta[2]).toBeCloseTo(ndcg.values[2]! - ndcg.values[0]!, 10);
    expect(ndcg.p[1]).toBeGreaterThan(0);
    expect(ndcg.p[1]).toBeLessThanOrEqual(1);
    expect(cmp.configDiff.some((d) => d.field === "mode" && d.differs)).toBe(true);
    expect(cmp.curves.some((c) => c.experimentId === lora.id && c.name === "loss" && c.points.length === loraRun.totalSteps)).toBe(true);

    const pq = await caller.experiment.perQuery({ workspaceId, evalVersionId, a: `base:${baseModelId}`, b: `run:${lora.id}`, mode: "dense", limit: 10 });
    expect(pq.counts.win + pq.counts.loss + pq.counts.tie).toBe(200);
    expect(pq.counts.win).toBeGreaterThan(0);
    expect(pq.rows[0]!.query.length).toBeGreaterThan(0);
    const wins = await caller.experiment.perQuery({ workspaceId, evalVersionId, a: `base:${baseModelId}`, b: `run:${lora.id}`, filter: "win", limit: 200 });
    expect(wins.rows.every((r) => r.ndcgB > r.ndcgA)).toBe(true);

    const card = await caller.model.card({ workspaceId, checkpointId: loraRun.bestCheckpointId! });
    expect(card.markdown).toContain("Metrics vs base");
    const evals = await caller.evaluation.list({ workspaceId });
    expect(evals.length).toBeGreaterThanOrEqual(2);
  }, 2_400_000); // the waits inside fail on a stall; this only bounds a run that keeps advancing forever
});
