import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { importPairs, useTempArtifacts } from "../../testing/datasets";
import { spawnWorker, waitFor, waitWhileAdvancing, type SpawnedWorker } from "../../../gpu-worker/testing/spawn-worker";
import { ensureDemoModel, medquadSplit } from "./testing/fixtures";

/**
 * Crash test: kill -9 the worker in the middle of a run. Its trainer must not run on as an orphan: it gets
 * SIGTERM (trainer/lifeline.py), saves a checkpoint and exits within seconds. Once the lease expires a new
 * worker re-claims the job and the trainer resumes from that checkpoint. The metric history ends with exactly
 * one row per step, 1..N: no gap, no duplicate; the resource series of both attempts are kept.
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

const env = () => ({ ARTIFACTS_DIR: process.env.ARTIFACTS_DIR!, WORKER_JOB_TYPES: "train", M3_RESOURCE_SAMPLE_MS: "1000" });

/** Alive and not a zombie (an exited orphan may wait for a reaper that never comes in a container). */
function alive(pid: number) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
  } catch {
    return false;
  }
}

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
    const progress = async () => {
      const r = await db.experiment.findUnique({ where: { id: run.id } });
      return `${r?.status}/${r?.phase}/${r?.lastStep}`;
    };
    // Past the second checkpoint (step 16), before the end.
    await waitWhileAdvancing(async () => {
      const r = await db.experiment.findUnique({ where: { id: run.id } });
      const ckpts = await db.checkpoint.count({ where: { experimentId: run.id } });
      return r && r.lastStep >= 18 && ckpts >= 2 ? r : null;
    }, progress, { what: "step 18" });
    const trainers = childPids(first.child.pid!).flatMap((pid) => [pid, ...childPids(pid)]);
    expect(trainers.length).toBeGreaterThan(0);
    // Only the worker is killed: the trainer must notice and stop by itself (no orphan left training).
    first.child.kill("SIGKILL");
    await first.exited;
    const killedAt = Date.now();
    // The trainer's watchdog notices within seconds; the cap is generous so a loaded machine only makes it slower.
    await waitFor(async () => trainers.every((p) => !alive(p)), 120_000, "the orphaned trainer to exit");
    const orphanSeconds = (Date.now() - killedAt) / 1000;
    const events = readFileSync(path.join(process.env.ARTIFACTS_DIR!, "experiments", run.id, "events.jsonl"), "utf8")
      .split("\n").filter(Boolean).map((l) => JSON.parse(l) as { event: string; step?: number });
    const stopped = events.find((e) => e.event === "stopped");
    expect(stopped?.step).toBeGreaterThanOrEqual(18); // it checkpointed on SIGTERM rather than dying mid-step
    const systemBefore = (await db.metricPoint.findMany({ where: { experimentId: run.id, name: { startsWith: "system/" } }, select: { id: true } })).map((p) => p.id);
    const before = await db.experiment.findUnique({ where: { id: run.id } });
    const stepsBefore = await db.metricPoint.count({ where: { experimentId: run.id, name: "loss" } });
    expect(before!.status).toBe("RUNNING");
    // Metric rows are written in batches, so they may trail lastStep; some must be there already.
    expect(stepsBefore).toBeGreaterThan(0);
    // The crashed worker's lease runs out quickly here (the default is 60 s).
    await db.job.update({ where: { id: run.jobId! }, data: { leaseSeconds: 1 } });

    const second = await spawnWorker(env());
    workers.push(second);
    const done = await waitWhileAdvancing(async () => {
      const r = await db.experiment.findUnique({ where: { id: run.id } });
      if (r?.status === "FAILED") throw new Error(`run failed: ${r.error}`);
      return r?.status === "SUCCEEDED" ? r : null;
    }, progress, { what: "the resumed run" });
    const job = await db.job.findUnique({ where: { id: run.jobId! } });
    expect(job!.attempts).toBe(2);
    const logs = (await db.jobLog.findMany({ where: { jobId: run.jobId! }, orderBy: { id: "asc" } })).map((l) => l.message);
    const resumed = logs.find((l) => l.startsWith("resuming from the checkpoint at step"));
    expect(resumed).toBeDefined();
    // The new attempt resumes exactly from the checkpoint the orphaned trainer wrote on its way out.
    expect(Number(resumed!.match(/step (\d+)/)![1])).toBe(stopped!.step);

    for (const name of ["loss", "lr", "grad_norm"]) {
      const steps = (await db.metricPoint.findMany({ where: { experimentId: run.id, name }, orderBy: { step: "asc" } })).map((p) => p.step);
      expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
    expect(done.lastStep).toBe(30);
    const ckpts = (await db.checkpoint.findMany({ where: { experimentId: run.id }, orderBy: { step: "asc" } })).map((c) => c.step);
    expect(ckpts).toEqual([...new Set([8, 16, 24, 30, stopped!.step!])].sort((a, b) => a - b));
    // Resource series: sampled in both attempts, and the resume (which drops trainer points past its step) kept them.
    expect(systemBefore.length).toBeGreaterThan(0);
    expect(await db.metricPoint.count({ where: { id: { in: systemBefore } } })).toBe(systemBefore.length);
    const cpu = await db.metricPoint.findMany({ where: { experimentId: run.id, name: "system/cpu_percent" } });
    expect(await db.metricPoint.count({ where: { experimentId: run.id, name: { startsWith: "system/" } } })).toBeGreaterThan(systemBefore.length);
    expect(Math.max(...cpu.map((p) => p.value))).toBeGreaterThan(0);
    expect(Math.min(...(await db.metricPoint.findMany({ where: { experimentId: run.id, name: "system/rss_mb" } })).map((p) => p.value))).toBeGreaterThan(0);
    console.log(`orphaned trainer exited ${orphanSeconds.toFixed(1)} s after the worker's SIGKILL; stop checkpoint at step ${stopped!.step}`);
  }, 2_400_000); // the waits inside fail on a stall; this only bounds a run that keeps advancing forever
});
