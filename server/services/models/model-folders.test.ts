import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { isPermanentJobError } from "../../jobs/types";
import { artifactsRoot } from "../../storage/artifacts";
import { callerFor, createUser, createWorkspaceWith, unique } from "../../testing/factories";
import { makeModelFolder } from "../../testing/model-folder";
import { readableModelFolder } from "./folder-access";

/**
 * Issue #13 finding 1 through the real tRPC path: model.register accepts only folders under the configured
 * model roots (M3_MODEL_ROOTS, set by vitest.config.ts) or the workspace's own checkpoints, resolved with
 * symlinks followed; missing, outside and foreign folders get one and the same answer; viewers see no paths.
 */
const ROOT = process.env.M3_MODEL_ROOTS!;
const cleanup: string[] = [];

let editorA: ReturnType<typeof callerFor>;
let viewerA: ReturnType<typeof callerFor>;
let ownerB: ReturnType<typeof callerFor>;
let workspaceA: string;
let workspaceB: string;
let scratch: string;
/** Workspace B's checkpoint folder (absolute), at the layout model.checkpoints used to show. */
let foreignCheckpoint: string;

beforeAll(async () => {
  mkdirSync(ROOT, { recursive: true });
  scratch = mkdtempSync(path.join(ROOT, "case-"));
  cleanup.push(scratch);
  const [editor, viewer, owner] = [await createUser(), await createUser(), await createUser()];
  workspaceA = (await createWorkspaceWith([{ userId: editor.id, role: "EDITOR" }, { userId: viewer.id, role: "VIEWER" }])).id;
  workspaceB = (await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }])).id;
  editorA = callerFor(editor.id);
  viewerA = callerFor(viewer.id);
  ownerB = callerFor(owner.id);
  const runDir = `experiments/${unique("run")}`;
  const rel = `${runDir}/checkpoints/step-60`;
  foreignCheckpoint = makeModelFolder(path.join(artifactsRoot(), rel));
  cleanup.push(path.join(artifactsRoot(), runDir));
  await db.checkpoint.create({ data: { workspaceId: workspaceB, step: 60, dir: rel, tags: [], aliases: [] } });
});

afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** The error message of a refused registration, with the path given replaced so answers can be compared. */
async function refusal(caller: ReturnType<typeof callerFor>, workspaceId: string, dir: string): Promise<string> {
  const error = await caller.model.register({ workspaceId, name: unique("m"), dir }).then(() => null, (e: Error) => e);
  expect(error, `registering ${dir} should be refused`).not.toBeNull();
  return error!.message.replaceAll(dir, "<dir>");
}

describe("model folders", () => {
  it("a folder under a configured root registers, stored with symlinks resolved", async () => {
    const folder = makeModelFolder(path.join(scratch, "bge-m3"));
    symlinkSync(folder, path.join(scratch, "current"));
    const model = await editorA.model.register({ workspaceId: workspaceA, name: unique("ok"), dir: path.join(scratch, "current") });
    expect(model.dir).toBe(realpathSync(folder));
    expect((await db.baseModel.findUniqueOrThrow({ where: { id: model.id } })).dir).toBe(realpathSync(folder));
  });

  it("another workspace's checkpoint folder is refused with the answer a missing folder gets; its own workspace may register it", async () => {
    const foreign = await refusal(editorA, workspaceA, foreignCheckpoint);
    expect(foreign).toMatch(/missing or outside/);
    expect(await refusal(editorA, workspaceA, path.join(scratch, "no-such-model"))).toBe(foreign);
    const own = await ownerB.model.register({ workspaceId: workspaceB, name: unique("own"), dir: foreignCheckpoint });
    expect(own.dir).toBe(realpathSync(foreignCheckpoint));
  });

  it("/etc, /root/.ssh and a missing folder get the same answer (nothing is told about what exists outside the roots)", async () => {
    const missing = await refusal(editorA, workspaceA, "/no/such/folder");
    const artifacts = artifactsRoot();
    for (const probe of ["/etc", "/root/.ssh", "/root", "/", path.join(ROOT, ".."), artifacts, path.join(artifacts, "experiments"), path.dirname(foreignCheckpoint)]) {
      expect(await refusal(editorA, workspaceA, probe)).toBe(missing);
    }
  });

  it("a relative path is refused (it would resolve against the web process's folder)", async () => {
    for (const dir of [".cache/demo-model", "models/bge-m3", "../etc"]) expect(await refusal(editorA, workspaceA, dir)).toMatch(/absolute.*relative paths are refused/);
  });

  it("a symlink inside a root pointing outside it is refused, as are model files linking outside", async () => {
    const missing = await refusal(editorA, workspaceA, path.join(scratch, "nothing-here"));
    symlinkSync(foreignCheckpoint, path.join(scratch, "escape"));
    symlinkSync("/etc", path.join(scratch, "etc"));
    expect(await refusal(editorA, workspaceA, path.join(scratch, "escape"))).toBe(missing);
    expect(await refusal(editorA, workspaceA, path.join(scratch, "etc"))).toBe(missing);
    // A folder under the root whose weights are a link to B's checkpoint weights.
    const borrowing = makeModelFolder(path.join(scratch, "borrowing"));
    rmSync(path.join(borrowing, "model.safetensors"));
    symlinkSync(path.join(foreignCheckpoint, "model.safetensors"), path.join(borrowing, "model.safetensors"));
    expect(await refusal(editorA, workspaceA, borrowing)).toMatch(/model\.safetensors in <dir> links outside/);
  });

  it("viewers do not see folder paths of base models or checkpoints; editors see the base-model folders", async () => {
    const model = await editorA.model.register({ workspaceId: workspaceA, name: unique("seen"), dir: makeModelFolder(path.join(scratch, "seen")) });
    await db.checkpoint.create({ data: { workspaceId: workspaceA, step: 10, dir: `experiments/${unique("run")}/checkpoints/step-10`, tags: [], aliases: [] } });
    const asViewer = await viewerA.model.list({ workspaceId: workspaceA });
    expect(asViewer.length).toBeGreaterThan(0);
    expect(asViewer.map((m) => m.dir)).toEqual(asViewer.map(() => null));
    expect((await viewerA.model.get({ workspaceId: workspaceA, baseModelId: model.id })).dir).toBeNull();
    const checkpoints = await viewerA.model.checkpoints({ workspaceId: workspaceA });
    expect(checkpoints.length).toBe(1);
    expect(checkpoints[0]!.dir).toBeNull();
    expect((await editorA.model.list({ workspaceId: workspaceA })).find((m) => m.id === model.id)?.dir).toBe(model.dir);
  });

  it("viewers see no folder paths on the run page or in deployments; equal folders keep equal tokens", async () => {
    const model = await editorA.model.register({ workspaceId: workspaceA, name: unique("run-base"), dir: makeModelFolder(path.join(scratch, "run-base")) });
    const createdById = (await db.baseModel.findUniqueOrThrow({ where: { id: model.id } })).createdById;
    const run = await db.experiment.create({ data: { workspaceId: workspaceA, name: unique("run"), baseModelId: model.id, trainVersionId: "none", preset: "quick", config: {}, outputDir: `experiments/${unique("run")}`, createdById } });
    await db.checkpoint.create({ data: { workspaceId: workspaceA, experimentId: run.id, step: 5, dir: `${run.outputDir}/checkpoints/step-5`, tags: [], aliases: [] } });
    const page = await viewerA.experiment.get({ workspaceId: workspaceA, experimentId: run.id });
    expect(page.checkpoints.map((c) => c.dir)).toEqual([null]);
    expect(page.run.outputDir).toBeNull();
    expect(page.baseModel?.dir ?? null).toBeNull();
    expect((await editorA.experiment.get({ workspaceId: workspaceA, experimentId: run.id })).checkpoints[0]!.dir).toBe(`${run.outputDir}/checkpoints/step-5`);

    const deployment = await db.deployment.create({ data: { workspaceId: workspaceA, name: unique("dep"), modelDir: model.dir!, modelLabel: "base", previousModelDir: foreignCheckpoint, previousModelLabel: "old", createdById, accuracyCheck: { modelDir: model.dir!, status: "skipped" } } });
    const seen = await viewerA.deployment.get({ workspaceId: workspaceA, deploymentId: deployment.id });
    const check = seen.accuracyCheck as { modelDir: string };
    expect(JSON.stringify([seen.modelDir, seen.previousModelDir, check.modelDir])).not.toContain("/");
    expect(check.modelDir).toBe(seen.modelDir);
    expect(seen.previousModelDir).not.toBe(seen.modelDir);
    const listed = await viewerA.deployment.list({ workspaceId: workspaceA });
    expect(JSON.stringify(listed)).not.toContain(scratch);
    expect(JSON.stringify(await viewerA.deployment.models({ workspaceId: workspaceA }))).not.toMatch(/"modelDir":"\//);
    expect((await editorA.deployment.get({ workspaceId: workspaceA, deploymentId: deployment.id })).modelDir).toBe(model.dir);
  });

  it("training and merging re-check a stored base-model folder: a row that names another workspace's checkpoint fails for good", async () => {
    // A row written before folders were confined (or edited in the database) must not reach the trainer.
    const error = await readableModelFolder(workspaceA, foreignCheckpoint).then(() => null, (e: unknown) => e);
    expect(isPermanentJobError(error)).toBe(true);
    expect(await readableModelFolder(workspaceB, foreignCheckpoint)).toBe(realpathSync(foreignCheckpoint));
  });
});
