import { existsSync, lstatSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../server/db";
import { importMedquad } from "../../server/services/experiments/testing/fixtures";
import { artifactsRoot } from "../../server/storage/artifacts";
import { callerFor, createUser, createWorkspaceWith } from "../../server/testing/factories";
import { fileListing, registrableDemoCopy } from "../testing/registered-model";
import { spawnWorker, waitFor, type SpawnedWorker } from "../testing/spawn-worker";

/**
 * Issue #13 finding 1 on the evaluation path, through a real worker: evaluating a registered base model that
 * has no ONNX export yet exports it into the workspace's derived folder; the registered folder is unchanged.
 */
let worker: SpawnedWorker;
let workspaceId: string;
let ownerId: string;
let evalVersionId: string;
let folder: string;

beforeAll(async () => {
  folder = registrableDemoCopy("evaluated");
  ownerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
  evalVersionId = (await importMedquad(workspaceId, ownerId, { train: 10, evalQueries: 20, distractors: 30 })).evalVersionId;
  worker = await spawnWorker({ ARTIFACTS_DIR: artifactsRoot(), WORKER_JOB_TYPES: "evaluate_subjects", OMP_NUM_THREADS: "1" });
}, 600_000);

afterAll(async () => {
  if (worker?.child.exitCode === null) worker.child.kill("SIGTERM");
  await worker?.exited;
  if (folder) rmSync(folder, { recursive: true, force: true });
  if (workspaceId) rmSync(path.join(artifactsRoot(), "workspaces", workspaceId, "derived"), { recursive: true, force: true });
});

describe("evaluating a registered folder", () => {
  it("exports its ONNX graph to the workspace's derived folder, not into the registered folder", async () => {
    const owner = callerFor(ownerId);
    const before = fileListing(folder);
    const model = await owner.model.register({ workspaceId, name: "evaluated-copy", dir: folder });
    const evaluation = await owner.evaluation.create({ workspaceId, name: "base", evalVersionId, subjects: [{ kind: "base", id: model.id }], modes: ["dense"] });
    await waitFor(async () => {
      const row = await db.evaluation.findUniqueOrThrow({ where: { id: evaluation.id } });
      if (row.status === "FAILED") throw new Error(`evaluation failed: ${JSON.stringify(row)}\n${worker.output().slice(-3000)}`);
      return row.status === "SUCCEEDED";
    }, 300_000, "the evaluation");

    expect(fileListing(folder)).toEqual(before);
    const derivedRoot = path.join(artifactsRoot(), "workspaces", workspaceId, "derived");
    const [key] = readdirSync(derivedRoot).filter((n) => !n.includes(".tmp-"));
    const graph = path.join(derivedRoot, key!, "onnx", "model.onnx");
    expect(existsSync(graph)).toBe(true);
    expect(lstatSync(graph).isSymbolicLink()).toBe(false);
  }, 400_000);
});
