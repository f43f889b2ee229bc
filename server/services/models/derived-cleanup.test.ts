import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { APP_ORIGIN, signInOverHttp } from "../../auth/sign-in.fixture";
import { db } from "../../db";
import { env } from "../../env";
import { artifactsRoot } from "../../storage/artifacts";
import { workspaceUsage } from "../../storage/workspace-usage";
import { callerFor, createUser, createWorkspaceWith, unique } from "../../testing/factories";
import { makeModelFolder } from "../../testing/model-folder";
import { workingModelFolder } from "./folder-access";
import { POST } from "~/app/api/uploads/route";

/**
 * Derived model files (issue #13, finding 1 follow-up and finding 10's storage quota), through the real tRPC
 * router and upload route: a workspace's derived folder (what a worker makes with workingModelFolder before an
 * ONNX export or an int8 graph) is removed when nothing in the workspace names its source any more, and the
 * workspace's storage quota counts those files and its runs' artifacts, not only uploads.
 */
const ROOT = process.env.M3_MODEL_ROOTS!;
const cleanup: string[] = [];
const quota = env.WORKSPACE_STORAGE_QUOTA_BYTES;
afterEach(() => {
  env.WORKSPACE_STORAGE_QUOTA_BYTES = quota;
});
afterAll(async () => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  await db.$disconnect();
});

let scratch: string;
beforeAll(() => {
  mkdirSync(ROOT, { recursive: true });
  scratch = mkdtempSync(path.join(ROOT, "derived-"));
  cleanup.push(scratch);
});

const folderNamed = (name: string) => makeModelFolder(path.join(scratch, name));

/** What a deployment of `dir` leaves in the workspace's derived folder: an exported graph of `bytes` bytes. */
async function exportedGraph(workspaceId: string, dir: string, bytes = 10): Promise<string> {
  const derived = await workingModelFolder(workspaceId, dir);
  writeFileSync(path.join(derived, "onnx", "model_int8.onnx"), Buffer.alloc(bytes));
  return derived;
}

async function editorWorkspace() {
  const editor = await createUser("editor password");
  const workspace = await createWorkspaceWith([{ userId: editor.id, role: "EDITOR" }]);
  cleanup.push(path.join(artifactsRoot(), "workspaces", workspace.id));
  return { editor, workspace, caller: callerFor(editor.id) };
}

describe("model.delete removes the derived files nothing references any more", () => {
  it("the deleted model's derived folder goes; the same folder's derived files elsewhere stay", async () => {
    const a = await editorWorkspace();
    const b = await editorWorkspace();
    const dir = folderNamed(unique("model"));
    const kept = folderNamed(unique("kept"));
    const model = await a.caller.model.register({ workspaceId: a.workspace.id, name: "to delete", dir });
    await a.caller.model.register({ workspaceId: a.workspace.id, name: "kept", dir: kept });
    await b.caller.model.register({ workspaceId: b.workspace.id, name: "same folder", dir });
    const derivedA = await exportedGraph(a.workspace.id, dir);
    const keptDerived = await exportedGraph(a.workspace.id, kept);
    const derivedB = await exportedGraph(b.workspace.id, dir);

    expect(await a.caller.model.delete({ workspaceId: a.workspace.id, baseModelId: model.id })).toEqual({ id: model.id, removedDerivedFolders: 1 });
    expect(existsSync(derivedA)).toBe(false);
    expect(existsSync(`${derivedA}.source`)).toBe(false);
    expect(existsSync(path.join(keptDerived, "onnx", "model_int8.onnx"))).toBe(true);
    // Another workspace's registration of the same folder keeps its own derived files, and the folder itself stays.
    expect(existsSync(path.join(derivedB, "onnx", "model_int8.onnx"))).toBe(true);
    expect(existsSync(path.join(dir, "model.safetensors"))).toBe(true);
    expect(await db.baseModel.count({ where: { id: model.id } })).toBe(0);
  });

  it("keeps the derived files while a deployment of the workspace still serves or can roll back to the folder", async () => {
    const a = await editorWorkspace();
    const dir = folderNamed(unique("deployed"));
    const model = await a.caller.model.register({ workspaceId: a.workspace.id, name: "deployed", dir });
    const derived = await exportedGraph(a.workspace.id, dir);
    await db.deployment.create({
      data: { workspaceId: a.workspace.id, name: "api", modelDir: "/elsewhere", modelLabel: "other", previousModelDir: dir, previousModelLabel: "deployed", createdById: a.editor.id, status: "STOPPED" },
    });
    expect(await a.caller.model.delete({ workspaceId: a.workspace.id, baseModelId: model.id })).toEqual({ id: model.id, removedDerivedFolders: 0 });
    expect(existsSync(path.join(derived, "onnx", "model_int8.onnx"))).toBe(true);
  });

  it("is refused while runs were trained from the model, for viewers, and for another workspace's model", async () => {
    const a = await editorWorkspace();
    const other = await editorWorkspace();
    const viewer = await createUser();
    await db.membership.create({ data: { workspaceId: a.workspace.id, userId: viewer.id, role: "VIEWER" } });
    const model = await a.caller.model.register({ workspaceId: a.workspace.id, name: "trained from", dir: folderNamed(unique("trained")) });
    await db.experiment.create({ data: { workspaceId: a.workspace.id, name: unique("run"), baseModelId: model.id, trainVersionId: "none", preset: "quick", config: {}, outputDir: `experiments/${unique("run")}`, createdById: a.editor.id } });

    await expect(a.caller.model.delete({ workspaceId: a.workspace.id, baseModelId: model.id })).rejects.toMatchObject({ code: "CONFLICT", message: "1 run was trained from trained from; it stays registered while they exist." });
    await expect(callerFor(viewer.id).model.delete({ workspaceId: a.workspace.id, baseModelId: model.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(other.caller.model.delete({ workspaceId: other.workspace.id, baseModelId: model.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.baseModel.count({ where: { id: model.id } })).toBe(1);
  });
});

describe("the storage quota counts the workspace's artifacts, not only its uploads", () => {
  function upload(workspaceId: string, text: string, cookie: string) {
    return POST(new Request(`${APP_ORIGIN}/api/uploads?workspaceId=${workspaceId}&fileName=pairs.jsonl`, { method: "POST", headers: { cookie, origin: APP_ORIGIN }, body: text }));
  }

  it("derived model files and run artifacts count towards WORKSPACE_STORAGE_QUOTA_BYTES; linked source files do not", async () => {
    const a = await editorWorkspace();
    const { cookie } = await signInOverHttp(a.editor.email, "editor password");
    const dir = folderNamed(unique("quota"));
    await a.caller.model.register({ workspaceId: a.workspace.id, name: "quota", dir });
    await exportedGraph(a.workspace.id, dir, 600);
    const outputDir = `experiments/${unique("run")}`;
    const checkpoint = path.join(artifactsRoot(), outputDir, "checkpoints", "step-10");
    mkdirSync(checkpoint, { recursive: true });
    cleanup.push(path.join(artifactsRoot(), outputDir));
    writeFileSync(path.join(checkpoint, "model.safetensors"), Buffer.alloc(300));
    const model = await db.baseModel.findFirstOrThrow({ where: { workspaceId: a.workspace.id } });
    await db.experiment.create({ data: { workspaceId: a.workspace.id, name: unique("run"), baseModelId: model.id, trainVersionId: "none", preset: "quick", config: {}, outputDir, createdById: a.editor.id } });

    // The derived folder also links the source's files (their bytes are the operator's): not counted. Its record
    // (the source's path, beside it) is.
    const workspaceFiles = 600 + Buffer.byteLength(realpathSync(dir));
    const used = workspaceFiles + 300;
    expect(await workspaceUsage(a.workspace.id)).toEqual({ uploads: 0, workspaceFiles, runsAndEvalSets: 300, total: used });

    env.WORKSPACE_STORAGE_QUOTA_BYTES = used + 100;
    const refused = await upload(a.workspace.id, `${"x".repeat(149)}\n`, cookie!);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({
      error: `This upload would exceed the workspace's storage quota of ${used + 100} bytes (${used} bytes in use). An operator can raise it (WORKSPACE_STORAGE_QUOTA_BYTES).`,
      field: "file",
    });
    expect((await upload(a.workspace.id, `${"x".repeat(99)}\n`, cookie!)).status).toBe(201);
  });
});
