import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { importPairs, useTempArtifacts } from "../../testing/datasets";
import { ensureDemoModel, medquadSplit } from "./testing/fixtures";
import type { TrainConfig } from "./schema";

/** The sweep through tRPC and a real database: one group, one queued run + train job per combination. */
let caller: ReturnType<typeof callerFor>;
let workspaceId: string;
let common: { workspaceId: string; baseModelId: string; trainVersionId: string; preset: "lora_quick" };

beforeAll(async () => {
  await useTempArtifacts();
  const user = await createUser();
  workspaceId = (await createWorkspaceWith([{ userId: user.id, role: "OWNER" }])).id;
  caller = callerFor(user.id);
  const baseModelId = (await caller.model.register({ workspaceId, name: "demo", dir: ensureDemoModel() })).id;
  const trainVersionId = (await importPairs(workspaceId, user.id, "sweep-train", medquadSplit({ train: 20, evalQueries: 0, distractors: 0 }).train)).versionId;
  common = { workspaceId, baseModelId, trainVersionId, preset: "lora_quick" };
}, 120_000);

/** The tRPC error's zod field errors (what the form shows beside `grid`) or its AppError message. */
async function refusal(p: Promise<unknown>) {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(TRPCError);
  return e as TRPCError;
}

describe("experiment.sweep", () => {
  it("queues the cartesian product of several fields as one group, each run with its values", async () => {
    const { group, runs } = await caller.experiment.sweep({
      ...common, name: "grid", config: { maxSteps: 5 },
      grid: { learningRate: [1e-4, 5e-5], "lora.r": [4, 16], temperature: [0.02, 0.05] },
    });
    expect(runs).toHaveLength(8);
    const rows = await db.experiment.findMany({ where: { groupId: group.id }, orderBy: { createdAt: "asc" } });
    expect(rows).toHaveLength(8);
    const seen = rows.map((r) => {
      const c = r.config as TrainConfig;
      expect(c.maxSteps).toBe(5); // the shared overrides reach every run
      expect(c.lora).toMatchObject({ alpha: 16, targetModules: ["query", "key", "value", "dense"] }); // the preset's LoRA block, rank swept
      return `${c.learningRate}|${c.lora!.r}|${c.temperature}`;
    });
    expect(new Set(seen).size).toBe(8);
    expect(rows.every((r) => r.status === "QUEUED" && r.jobId)).toBe(true);
    expect(rows.find((r) => r.name.endsWith("learningRate=0.0001 lora.r=16 temperature=0.05"))).toBeDefined();
    const jobs = await db.job.findMany({ where: { id: { in: rows.map((r) => r.jobId!) } } });
    expect(jobs.map((j) => j.type)).toEqual(Array(8).fill("train"));
    expect((jobs[0]!.payload as { config: TrainConfig }).config.lora).not.toBeNull();
  });

  it("refuses a grid past the cap with the run count, and writes nothing", async () => {
    const before = await db.experiment.count({ where: { workspaceId } });
    const e = await refusal(caller.experiment.sweep({ ...common, name: "big", grid: { seed: [1, 2, 3], batchSize: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } }));
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.message).toContain("This grid is 33 runs; a sweep is capped at 32");
    expect(await db.experiment.count({ where: { workspaceId } })).toBe(before);
  });

  it("names the field of a bad value", async () => {
    const e = await refusal(caller.experiment.sweep({ ...common, name: "bad", grid: { learningRate: [1e-5], batchSize: [8, 0] } }));
    expect(e.message).toContain("batchSize: 0 is out of range");
    expect(e.message).not.toContain("learningRate");
  });

  it("refuses LoRA fields when the configuration has LoRA off, naming the field", async () => {
    const before = await db.experimentGroup.count({ where: { workspaceId } });
    const e = await refusal(caller.experiment.sweep({ ...common, preset: "full_unified", name: "nolora", grid: { "lora.r": [8, 16] } }));
    expect(e.message).toBe("lora.r: LoRA is off in this configuration; turn it on to sweep its fields.");
    expect(await db.experimentGroup.count({ where: { workspaceId } })).toBe(before);
  });
});
