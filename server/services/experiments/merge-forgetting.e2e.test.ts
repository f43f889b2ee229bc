import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { useTempArtifacts } from "../../testing/datasets";
import { resolveArtifact } from "../../storage/artifacts";
import { resolveEvalVersion } from "../deployments/deployments";
import { spawnWorker, waitFor, type SpawnedWorker } from "../../../gpu-worker/testing/spawn-worker";
import { ensureDemoModel, importMedquad } from "./testing/fixtures";
import { importGeneralSet } from "./testing/general-set";

/**
 * Forgetting guard + merge with base, end to end with the real worker, trainer and inference engine: a short
 * full fine-tune on English MedQuAD with a Chinese general-domain set beside the domain set, then a merge of its
 * checkpoint with the base at W = 0.5 — registered with lineage, evaluated on both sets, shown in the comparison's
 * "domain gain vs general loss" section, and deployable like any checkpoint.
 */
let worker: SpawnedWorker;
let caller: ReturnType<typeof callerFor>;
let viewer: ReturnType<typeof callerFor>;
let workspaceId: string;
let baseModelId: string;
let trainVersionId: string;
let evalVersionId: string;
let generalVersionId: string;

beforeAll(async () => {
  await useTempArtifacts();
  const modelDir = ensureDemoModel();
  const user = await createUser();
  const watcher = await createUser();
  const ws = await createWorkspaceWith([{ userId: user.id, role: "OWNER" }, { userId: watcher.id, role: "VIEWER" }]);
  workspaceId = ws.id;
  caller = callerFor(user.id);
  viewer = callerFor(watcher.id);
  baseModelId = (await caller.model.register({ workspaceId, name: "demo-m3", dir: modelDir })).id;
  ({ trainVersionId, evalVersionId } = await importMedquad(workspaceId, user.id, { train: 160, evalQueries: 100, distractors: 150 }));
  ({ generalVersionId } = await importGeneralSet(workspaceId, user.id, { queries: 100, distractors: 150 }));
  worker = await spawnWorker({ ARTIFACTS_DIR: process.env.ARTIFACTS_DIR!, WORKER_JOB_TYPES: "train,evaluate_subjects,merge_checkpoint", OMP_NUM_THREADS: "2" });
}, 180_000);

afterAll(async () => {
  worker?.child.kill("SIGTERM");
  await worker?.exited;
});

const fail = async (what: string, e: Error) => {
  const jobs = await db.job.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { type: true, status: true, lastError: true } });
  throw new Error(`${what}: ${e.message}\n${JSON.stringify(jobs)}\n${worker.output().slice(-3000)}`);
};

describe("forgetting guard and merge with base", () => {
  it("a general-domain set must be an evaluation version other than the domain one", async () => {
    const common = { workspaceId, baseModelId, trainVersionId, preset: "lora_quick" as const, name: "bad" };
    await expect(caller.experiment.create({ ...common, evalVersionId, generalEvalVersionId: evalVersionId })).rejects.toThrow(/must differ/);
    await expect(caller.experiment.create({ ...common, evalVersionId, generalEvalVersionId: trainVersionId })).rejects.toThrow(/evaluation dataset/);
  });

  it("scores the run on both sets, merges at W=0.5 into a registered, evaluated, comparable and deployable checkpoint", async () => {
    const t0 = Date.now();
    const created = await caller.experiment.create({
      workspaceId, baseModelId, trainVersionId, evalVersionId, generalEvalVersionId: generalVersionId, name: "lora en", preset: "lora_quick",
      config: { mode: "unified", maxSteps: 8, saveSteps: 0, batchSize: 16, trainGroupSize: 2, learningRate: 2e-3, maxPassageLength: 128, device: "cpu", warmupRatio: 0, evalModes: ["dense", "sparse"] },
    });
    expect(created.generalEvalVersionId).toBe(generalVersionId);
    const run = await waitFor(async () => {
      const r = await db.experiment.findUnique({ where: { id: created.id } });
      if (r?.status === "FAILED") throw new Error(`run failed: ${r.error}`);
      return r?.status === "SUCCEEDED" ? r : null;
    }, 240_000, "run").catch((e: Error) => fail("training", e));
    const trainedAt = Date.now();
    const ckpt = await db.checkpoint.findUniqueOrThrow({ where: { id: run.bestCheckpointId! } });

    // The train job scored the base and the best checkpoint on the general-domain set too.
    for (const s of [{ subjectKind: "base", subjectId: baseModelId }, { subjectKind: "checkpoint", subjectId: ckpt.id }])
      expect(await db.evaluationResult.count({ where: { ...s, evalVersionId: generalVersionId } })).toBe(2);

    await expect(viewer.experiment.merge({ workspaceId, checkpointId: ckpt.id, weight: 0.5 })).rejects.toThrow();
    await expect(caller.experiment.merge({ workspaceId, checkpointId: ckpt.id, weight: 1.5 })).rejects.toThrow();
    const queued = await caller.experiment.merge({ workspaceId, checkpointId: ckpt.id, weight: 0.5 });
    await expect(caller.experiment.merge({ workspaceId, checkpointId: ckpt.id, weight: 0.5 })).rejects.toThrow(/already queued/);
    const pendingView = await caller.experiment.get({ workspaceId, experimentId: run.id });
    expect(pendingView.merges.pending.length + pendingView.merges.merged.length).toBeGreaterThanOrEqual(1);

    const merged = await waitFor(() => db.checkpoint.findFirst({ where: { sourceCheckpointId: ckpt.id, mergeWeight: 0.5 } }), 60_000, "merged checkpoint").catch((e: Error) => fail("merge", e));
    const evals = await waitFor(async () => {
      const rows = await db.evaluation.findMany({ where: { experimentId: run.id, name: { contains: "merge" } } });
      if (rows.some((r) => r.status === "FAILED")) throw new Error(rows.map((r) => r.error).join("; "));
      return rows.length === 2 && rows.every((r) => r.status === "SUCCEEDED") ? rows : null;
    }, 90_000, "merge evaluations").catch((e: Error) => fail("merge evaluation", e));
    const seconds = { train: (trainedAt - t0) / 1000, merge: (Date.now() - trainedAt) / 1000 };
    expect(evals.map((e) => e.evalVersionId).sort()).toEqual([evalVersionId, generalVersionId].sort());

    // Registered with lineage: parents are the base model and the source checkpoint, with the weight.
    expect(merged.experimentId).toBeNull();
    expect(merged.step).toBe(ckpt.step);
    const lineage = merged.lineage as { kind: string; weight: number; parents: Array<{ kind: string; id: string; share: number }> };
    expect(lineage).toMatchObject({ kind: "merge", weight: 0.5 });
    expect(lineage.parents).toEqual([
      expect.objectContaining({ kind: "base", id: baseModelId, share: 0.5 }),
      expect.objectContaining({ kind: "checkpoint", id: ckpt.id, share: 0.5 }),
    ]);
    const dir = path.join(process.env.ARTIFACTS_DIR!, merged.dir); // the worker's artifact folder
    expect(JSON.parse(readFileSync(path.join(dir, "m3studio.json"), "utf8")).lineage.merge.weight).toBe(0.5);
    for (const f of ["model.safetensors", "sparse_linear.pt", "colbert_linear.pt", "tokenizer.json", "config.json", "onnx/model.onnx"]) expect(existsSync(path.join(dir, f))).toBe(true);
    const audit = await db.auditLog.findFirst({ where: { workspaceId, action: "checkpoint.merged" } });
    expect(audit?.details).toMatchObject({ checkpointId: ckpt.id, weight: 0.5, experimentId: run.id, jobId: queued.jobId });
    const view = await caller.experiment.get({ workspaceId, experimentId: run.id });
    expect(view.merges.merged.map((m) => m.id)).toEqual([merged.id]);
    expect(view.generalEvalVersion?.id).toBe(generalVersionId);

    // The comparison: domain and general scores of base, tuned and merged, each against the base.
    const cmp = await caller.experiment.compare({ workspaceId, subjects: [`base:${baseModelId}`, `ckpt:${ckpt.id}`, `ckpt:${merged.id}`] });
    expect(cmp.subjects[2]!.label).toContain("W=0.5");
    const f = cmp.forgetting!;
    expect(f.generalVersionId).toBe(generalVersionId);
    expect(f.domainVersionId).toBe(evalVersionId);
    expect(f.modes).toEqual(["dense", "sparse"]);
    const [b, tuned, mix] = f.rows.dense!;
    const stored = async (kind: string, id: string, version: string) =>
      ((await db.evaluationResult.findFirst({ where: { subjectKind: kind, subjectId: id, evalVersionId: version, mode: "dense" }, orderBy: { createdAt: "desc" } }))!.mean as Record<string, number>);
    const mixGeneral = await stored("checkpoint", merged.id, generalVersionId);
    const mixDomain = await stored("checkpoint", merged.id, evalVersionId);
    expect(mix!.general.ndcg).toBe(mixGeneral["ndcg@10"]);
    expect(mix!.general.mrr).toBe(mixGeneral["mrr@10"]);
    expect(mix!.domain.ndcg).toBe(mixDomain["ndcg@10"]);
    expect(mix!.general.baseNdcg).toBe((await stored("base", baseModelId, generalVersionId))["ndcg@10"]);
    expect(b!.general.dNdcg).toBe(0);
    expect(tuned!.domain.dNdcg).toBeCloseTo(tuned!.domain.ndcg! - b!.domain.ndcg!, 12);
    expect(tuned!.forgetting).toBe(tuned!.general.relNdcg! < -f.threshold);
    // The merged model's scores are its own (not a copy of either parent's).
    expect([b!.domain.ndcg, tuned!.domain.ndcg]).not.toContain(mix!.domain.ndcg);
    console.log(
      `[merge/forgetting e2e] train ${seconds.train.toFixed(0)} s, merge+evaluate ${seconds.merge.toFixed(0)} s; dense nDCG@10 domain/general: ` +
        `base ${b!.domain.ndcg!.toFixed(4)}/${b!.general.ndcg!.toFixed(4)}, tuned ${tuned!.domain.ndcg!.toFixed(4)}/${tuned!.general.ndcg!.toFixed(4)} ` +
        `(domain ${(tuned!.domain.relNdcg! * 100).toFixed(1)}%, general ${(tuned!.general.relNdcg! * 100).toFixed(1)}%${tuned!.forgetting ? ", forgetting" : ""}), ` +
        `merged W=0.5 ${mix!.domain.ndcg!.toFixed(4)}/${mix!.general.ndcg!.toFixed(4)} (domain ${(mix!.domain.relNdcg! * 100).toFixed(1)}%, general ${(mix!.general.relNdcg! * 100).toFixed(1)}%); ` +
        `MRR@10 domain/general base ${b!.domain.mrr!.toFixed(4)}/${b!.general.mrr!.toFixed(4)}, tuned ${tuned!.domain.mrr!.toFixed(4)}/${tuned!.general.mrr!.toFixed(4)}, merged ${mix!.domain.mrr!.toFixed(4)}/${mix!.general.mrr!.toFixed(4)}`,
    );

    const card = await caller.model.card({ workspaceId, checkpointId: merged.id });
    expect(card.markdown).toContain("Merged with the base (LM-Cocktail): 0.5·tuned");
    expect(card.markdown).toContain("Metrics vs base");

    // Deployable like any checkpoint: listed by the deploy form, resolved to its (absolute) folder.
    const models = await caller.deployment.models({ workspaceId });
    const entry = models.find((m) => m.ref.kind === "checkpoint" && "id" in m.ref && m.ref.id === merged.id);
    expect(entry?.label).toContain("W=0.5");
    expect(entry?.modelDir).toBe(resolveArtifact(merged.dir));
    expect(path.isAbsolute(entry!.modelDir)).toBe(true);
    // An int8 deployment of it measures its cost on the source run's evaluation set by default.
    expect(await resolveEvalVersion(workspaceId, { kind: "checkpoint", id: merged.id }, null)).toBe(evalVersionId);

    // A merge is not merged again; the same weight twice is refused.
    await expect(caller.experiment.merge({ workspaceId, checkpointId: merged.id, weight: 0.5 })).rejects.toThrow(/already a merge/);
    await expect(caller.experiment.merge({ workspaceId, checkpointId: ckpt.id, weight: 0.5 })).rejects.toThrow(/already merged/);
  }, 400_000);
});
