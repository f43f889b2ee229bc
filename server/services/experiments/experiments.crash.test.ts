import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { importPairs, useTempArtifacts } from "../../testing/datasets";
import { spawnWorker, waitFor, type SpawnedWorker } from "../../../gpu-worker/testing/spawn-worker";
import { ensureDemoModel, medquadSplit } from "./testing/fixtures";

/**
 * Crash test: kill -9 the worker (and its trainer, as a host crash would) in the middle of a run; once the
 * lease expires a new worker re-claims the job and the trainer resumes from the last checkpoint. The metric
 * history ends with exactly one row per step, 1..N: no gap, no duplicate.
 */
const workers: SpawnedWorker[] = [];
let caller: ReturnType<typeof callerFor>;
let workspaceId: string;
let baseModelId: string;
let trainVersionId: string;

beforeAll(async () => {
  await useTempArtifacts();
  const user = await createUser();
  workspaceId = (await createWorkspaceWith([{ userId: user.id, role: "OWNER" }])).id;
  caller = callerFor(user.id);
  baseModelId = (await caller.model.register({ workspaceId, name: "demo", dir: ensureDemoModel() })).id;
  trainVersionId = (await importPairs(workspaceId, user.id, "crash-train", medquadSplit({ train: 200, evalQueries: 0, distractors: 0 }).train)).versionId;
}, 120_000);

afterAll(async () => {
  for (const w of workers) {
    if (w.child.exitCode === null) w.child.kill("SIGTERM");
    await w.exited;
  }
});

const env = () => ({ ARTIFACTS_DIR: process.env.ARTIFACTS_DIR!, WORKER_JOB_TYPES: "train" });

function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").map((s) => Number(s.trim())).filter((n) => n > 0);
  } catch {
    return [];
  }
}

describe("train job after a worker crash", () => {
  it("resumes from the last checkpoint on a new worker, with no gaps or duplicate steps", async () => {
    const first = await spawnWorker(env());
    workers.push(first);
    const run = await caller.experiment.create({
      workspaceId, name: "crash", baseModelId, trainVersionId, preset: "lora_quick",
      config: { maxSteps: 30, saveSteps: 8, batchSize: 8, trainGroupSize: 2, maxPassageLength: 96, device: "cpu", logSteps: 1 },
    });
    // Past the second checkpoint (step 16), before the end.
    await waitFor(async () => {
      const r = await db.experiment.findUnique({ where: { id: run.id } });
      const ckpts = await db.checkpoint.count({ where: { experimentId: run.id } });
      return r && r.lastStep >= 18 && ckpts >= 2 ? r : null;
    }, 120_000, "step 18");
    const trainers = childPids(first.child.pid!);
    first.child.kill("SIGKILL");
    for (const pid of trainers) {
      for (const p of [...childPids(pid), pid]) {
        try { process.kill(p, "SIGKILL"); } catch { /* already gone */ }
      }
    }
    await first.exited;
    const before = await db.experiment.findUnique({ where: { id: run.id } });
    const stepsBefore = await db.metricPoint.count({ where: { experimentId: run.id, name: "loss" } });
    expect(before!.status).toBe("RUNNING");
    // Metric rows are written in batches, so they may trail lastStep; some must be there already.
    expect(stepsBefore).toBeGreaterThan(0);
    // The crashed worker's lease runs out quickly here (the default is 60 s).
    await db.job.update({ where: { id: run.jobId! }, data: { leaseSeconds: 1 } });

    const second = await spawnWorker(env());
    workers.push(second);
    const done = await waitFor(async () => {
      const r = await db.experiment.findUnique({ where: { id: run.id } });
      if (r?.status === "FAILED") throw new Error(`run failed: ${r.error}`);
      return r?.status === "SUCCEEDED" ? r : null;
    }, 180_000, "the resumed run");
    const job = await db.job.findUnique({ where: { id: run.jobId! } });
    expect(job!.attempts).toBe(2);
    const logs = (await db.jobLog.findMany({ where: { jobId: run.jobId! }, orderBy: { id: "asc" } })).map((l) => l.message);
    const resumed = logs.find((l) => l.startsWith("resuming from the checkpoint at step"));
    expect(resumed).toBeDefined();
    expect(Number(resumed!.match(/step (\d+)/)![1])).toBeGreaterThanOrEqual(16);

    for (const name of ["loss", "lr", "grad_norm"]) {
      const steps = (await db.metricPoint.findMany({ where: { experimentId: run.id, name }, orderBy: { step: "asc" } })).map((p) => p.step);
      expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
    expect(done.lastStep).toBe(30);
    const ckpts = (await db.checkpoint.findMany({ where: { experimentId: run.id }, orderBy: { step: "asc" } })).map((c) => c.step);
    expect(ckpts).toEqual([8, 16, 24, 30]);
  }, 360_000);
});
