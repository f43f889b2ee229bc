import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../server/db";
import { ensureDemoModel } from "../../server/services/experiments/testing/fixtures";
import { artifactsRoot } from "../../server/storage/artifacts";
import { callerFor, createUser, createWorkspaceWith } from "../../server/testing/factories";
import { fileListing, registrableDemoCopy } from "../testing/registered-model";
import { spawnWorker, waitFor, type SpawnedWorker } from "../testing/spawn-worker";

/**
 * Issue #13 finding 1, the write side, through a real worker: an int8 deployment of a registered folder (a copy
 * of the demo model without its ONNX export, under the configured model root) exports the fp32 graph and
 * quantises it to int8 in the workspace's own derived folder; the registered folder's file list is unchanged.
 */
let worker: SpawnedWorker;
let workspaceId: string;
let ownerId: string;
let folder: string;

beforeAll(async () => {
  const demo = ensureDemoModel();
  folder = registrableDemoCopy("registered");
  ownerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
  worker = await spawnWorker({ ARTIFACTS_DIR: artifactsRoot(), WORKER_JOB_TYPES: "serve_deployment", M3_BASE_MODEL: demo, OMP_NUM_THREADS: "1" });
}, 600_000);

afterAll(async () => {
  if (worker?.child.exitCode === null) worker.child.kill("SIGTERM");
  await worker?.exited;
  if (folder) rmSync(folder, { recursive: true, force: true });
  if (workspaceId) rmSync(path.join(artifactsRoot(), "workspaces", workspaceId), { recursive: true, force: true });
});

describe("deploying a registered folder", () => {
  it("writes the fp32 and int8 graphs to the workspace's derived folder and leaves the registered folder as it was", async () => {
    const owner = callerFor(ownerId);
    const before = fileListing(folder);
    expect(before.some((f) => f.startsWith("onnx/"))).toBe(false);
    const model = await owner.model.register({ workspaceId, name: "registered-copy", dir: folder });
    const created = await owner.deployment.create({ workspaceId, name: "int8", model: { kind: "base", id: model.id }, precision: "int8" });
    await waitFor(async () => {
      const d = await db.deployment.findUniqueOrThrow({ where: { id: created.id } });
      if (d.status === "FAILED") throw new Error(`${d.statusMessage}\n${worker.output().slice(-3000)}`);
      // int8 without an evaluation version: the cost is unknown, so it waits for Go live once it serves.
      return d.status === "AWAITING_APPROVAL" || d.status === "LIVE";
    }, 300_000, "the int8 deployment to serve");

    expect(fileListing(folder)).toEqual(before);
    const derivedRoot = path.join(artifactsRoot(), "workspaces", workspaceId, "derived");
    const derived = readdirSync(derivedRoot).filter((n) => !n.includes(".tmp-") && !n.endsWith(".source")); // <key>.source names the folder it was made from
    expect(derived).toHaveLength(1);
    const dir = path.join(derivedRoot, derived[0]!);
    for (const graph of ["onnx/model.onnx", "onnx/model.int8.onnx"]) {
      expect(existsSync(path.join(dir, graph)), graph).toBe(true);
      expect(lstatSync(path.join(dir, graph)).isSymbolicLink(), `${graph} is written here, not linked`).toBe(false);
    }
    // The source files are links to the registered folder's files.
    expect(readlinkSync(path.join(dir, "model.safetensors"))).toBe(realpathSync(path.join(folder, "model.safetensors")));

    await owner.deployment.undeploy({ workspaceId, deploymentId: created.id });
    await waitFor(async () => (await db.deployment.findUniqueOrThrow({ where: { id: created.id } })).status === "STOPPED", 60_000, "STOPPED");
    expect(fileListing(folder)).toEqual(before);
  }, 400_000);
});
