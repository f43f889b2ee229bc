import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { spawnWorker, waitFor, type SpawnedWorker } from "../../../gpu-worker/testing/spawn-worker";
import { ensureDemoModel } from "../experiments/testing/fixtures";
import { DEMO_SIZES, medquadSplit, zhTrainingCsv } from "./demo-files";
import { isHeldOut, MEDQUAD, medquadKey, SHIPPED_DEMO_DATA, ZH_CSV } from "./demo-data";

// The sample shipped in the repository: what the demo model is built from and the demo workspace imports.
const MEDQUAD_JSONL = path.join(SHIPPED_DEMO_DATA, MEDQUAD);
const ZH_DIALOGUE_CSV = path.join(SHIPPED_DEMO_DATA, ZH_CSV);

/**
 * "Create demo workspace" end to end on the real import path: the held-out rule agrees with the demo model's
 * splits.json, the Chinese CSV stays GB18030, the service queues real import jobs that a real worker runs, and the
 * checklist ticks from what is in the database.
 */
// Before any import reads the environment: uploads stored here must be where the spawned worker looks.
await vi.hoisted(async () => {
  const [fs, os, path] = await Promise.all([import("node:fs"), import("node:os"), import("node:path")]);
  process.env.ARTIFACTS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "m3-demo-artifacts-"));
});

let modelDir: string;
let worker: SpawnedWorker | undefined;

beforeAll(async () => {
  modelDir = ensureDemoModel();
}, 600_000);

afterAll(async () => {
  worker?.child.kill("SIGTERM");
  await worker?.exited;
});

describe("demo data", () => {
  it("holds out exactly the demo model's test rows (by focus for MedQuAD, by answer for the Chinese CSV)", () => {
    const test = new Set((JSON.parse(readFileSync(path.join(modelDir, "splits.json"), "utf8")) as { test_ids: string[] }).test_ids);
    const zh = zhTrainingCsv(readFileSync(ZH_DIALOGUE_CSV));
    expect(new Set(zh.heldOut.map((r) => `zh:${r.index}`))).toEqual(new Set([...test].filter((t) => t.startsWith("zh:"))));
    expect(zh.kept.filter((r) => test.has(`zh:${r.index}`))).toEqual([]);
    // MedQuAD repeats some qids across its sources; splits.json lists an id when any row with it is held out.
    const rows = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { qid: string; focus: string });
    const heldByQid = new Map<string, boolean>();
    for (const r of rows) heldByQid.set(r.qid, (heldByQid.get(r.qid) ?? false) || isHeldOut(medquadKey(r.focus)));
    expect([...heldByQid].filter(([, held]) => held).map(([qid]) => `en:${qid}`).sort()).toEqual([...test].filter((t) => t.startsWith("en:")).sort());
  });

  it("keeps the Chinese CSV's bytes as published (GB18030, header first) and evaluation apart from training", () => {
    const zh = zhTrainingCsv(readFileSync(ZH_DIALOGUE_CSV));
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(zh.bytes)).toThrow();
    const text = new TextDecoder("gb18030", { fatal: true }).decode(zh.bytes);
    expect(text.split(/\r?\n/)[0]).toBe("department,title,ask,answer");
    expect(text).toContain(zh.kept[0]!.title);
    expect(zh.kept.length).toBeGreaterThan(1800); // 2,300 records less the held-out tenth
    const split = medquadSplit(readFileSync(MEDQUAD_JSONL, "utf8").split("\n"));
    expect(split.train).toHaveLength(DEMO_SIZES.train);
    expect(split.queries).toHaveLength(DEMO_SIZES.evalQueries);
    expect(new Set(split.queries.map((q) => q._id)).size).toBe(DEMO_SIZES.evalQueries);
    const trainQuestions = new Set(split.train.map((r) => r.question));
    expect(split.queries.filter((q) => trainQuestions.has(q.text))).toEqual([]);
  });
});

describe("demo workspace", () => {
  it("creates the workspace, registers the demo model, imports the shipped demo data with real jobs, and the checklist ticks", async () => {
    const user = await createUser();
    const caller = callerFor(user.id);
    const created = await caller.demo.create({ withData: true });
    expect(created.baseModel).not.toBeNull();
    expect(created.jobs.map((j) => j.datasetName)).toEqual(["medquad-train", "medquad-heldout", "zh-medical-dialogue", "zh-medical-docs"]);
    const workspaceId = created.workspace.id;
    expect((await caller.workspace.list()).map((w) => w.id)).toContain(workspaceId);
    expect((await caller.model.list({ workspaceId }))[0]).toMatchObject({ dir: modelDir });

    let checklist = await caller.demo.checklist({ workspaceId });
    expect(checklist.demo).toBe(true);
    expect(checklist.steps.find((s) => s.id === "data")).toMatchObject({ done: false, pending: 4 });

    worker = await spawnWorker({ ARTIFACTS_DIR: process.env.ARTIFACTS_DIR!, WORKER_JOB_TYPES: "import_dataset,dataset_quality" });
    const jobIds = created.jobs.map((j) => j.jobId);
    await waitFor(async () => {
      const jobs = await db.job.findMany({ where: { id: { in: jobIds } } });
      const failed = jobs.find((j) => j.status === "FAILED");
      if (failed) throw new Error(`import failed: ${failed.lastError}`);
      return jobs.every((j) => j.status === "SUCCEEDED");
    }, 240_000, "demo imports");

    const datasets = await caller.dataset.list({ workspaceId });
    const rows = Object.fromEntries(datasets.map((d) => [d.name, d.latest?.rowCount]));
    expect(rows["medquad-train"]).toBe(DEMO_SIZES.train);
    expect(rows["zh-medical-docs"]).toBe(DEMO_SIZES.zhDocuments);
    expect(rows["zh-medical-dialogue"]).toBe(zhTrainingCsv(readFileSync(ZH_DIALOGUE_CSV)).kept.length);
    const zhVersion = await db.datasetVersion.findFirstOrThrow({ where: { workspaceId, dataset: { name: "zh-medical-dialogue" } } });
    expect((zhVersion.source as { files: { format: string }[] }).files[0]!.format).toBe("csv");
    const firstPair = await db.datasetRecord.findFirstOrThrow({ where: { versionId: zhVersion.id }, orderBy: { ordinal: "asc" } });
    expect((firstPair.data as { query: string }).query).toMatch(/[\u4e00-\u9fff]/);

    checklist = await caller.demo.checklist({ workspaceId });
    expect(checklist.steps.map((s) => [s.id, s.done])).toEqual([["data", true], ["quality", false], ["review", false], ["run", false], ["compare", false], ["deploy", false]]);

    const train = await db.datasetVersion.findFirstOrThrow({ where: { workspaceId, dataset: { name: "medquad-train" } } });
    const job = await caller.dataset.computeQuality({ workspaceId, versionId: train.id });
    await waitFor(async () => (await db.job.findUnique({ where: { id: job.id } }))?.status === "SUCCEEDED", 120_000, "quality report");
    checklist = await caller.demo.checklist({ workspaceId });
    expect(checklist.steps.find((s) => s.id === "quality")!.done).toBe(true);
    expect(checklist.complete).toBe(false);
  }, 400_000);

  it("shows no checklist in an ordinary workspace, and a viewer may read it but not create in it", async () => {
    const owner = await createUser();
    const viewer = await createUser();
    const ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }, { userId: viewer.id, role: "VIEWER" }]);
    expect((await callerFor(viewer.id).demo.checklist({ workspaceId: ws.id })).demo).toBe(false);
    await expect(callerFor(viewer.id).demo.registerModel({ workspaceId: ws.id })).rejects.toThrow();
    const reg = await callerFor(owner.id).demo.registerModel({ workspaceId: ws.id });
    expect((await callerFor(owner.id).demo.registerModel({ workspaceId: ws.id })).id).toBe(reg.id);
  });
});
