import { realpathSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { storeLocalFile } from "../datasets/uploads";
import { startImport } from "../datasets/imports";
import { defaultBaseModelDir } from "../models/default-model";
import { registerBaseModel } from "../models/registry";
import { createWorkspace } from "../workspaces/workspaces";
import { writeDemoFiles } from "./demo-files";
import { demoDataDir } from "./demo-data";

/** The command that builds the demo model when it is missing (about 3–4 minutes on 2 CPU cores). */
export const BUILD_MODEL_COMMAND = "bash scripts/build-demo-model.sh";

/**
 * "Create demo workspace": a new workspace owned by the user with the default base model registered (the demo
 * model, or M3_BASE_MODEL) and, with `withData`, real import jobs of the medical demo datasets shipped in data/demo/
 * (MedQuAD training pairs and held-out evaluation set, the Chinese GB18030 dialogue CSV, documents for
 * synthesis) queued — the same jobs the data studio queues. All or nothing: if any step fails, the workspace
 * and everything stored for it are removed. `npm run demo` passes withData=false and uploads its own files.
 */
export async function createDemoWorkspace({ userId, name, withData }: { userId: string; name: string; withData: boolean }) {
  const dataDir = withData ? demoDataDir() : null;
  if (withData && !dataDir) throw new AppError("BAD_REQUEST", "The demo data was not found: data/demo/ is missing from the checkout, or M3_DEMO_DATA names a folder without medquad-en/ and zh-medical-dialogue/.");
  const modelDir = defaultBaseModelDir();
  const tmp = withData ? await mkdtemp(path.join(os.tmpdir(), "m3-demo-")) : null;
  try {
    // Files first: a bad data folder fails before anything is created.
    const plan = tmp && dataDir ? await writeDemoFiles(tmp, dataDir) : null;
    const workspace = await createWorkspace({ userId, name, demo: true });
    try {
      const model = modelDir ? await registerBaseModel({ workspaceId: workspace.id, userId, name: path.basename(modelDir), dir: modelDir }) : null;
      const jobs: { datasetName: string; jobId: string }[] = [];
      for (const item of plan?.imports ?? []) {
        const files = [];
        for (const f of item.files) {
          const upload = await storeLocalFile({ workspaceId: workspace.id, userId, file: f.path });
          files.push({ uploadId: upload.id, role: f.role, ...(f.mapping ? { mapping: f.mapping } : {}) });
        }
        const job = await startImport({ workspaceId: workspace.id, userId, datasetName: item.datasetName, kind: item.kind, files });
        jobs.push({ datasetName: item.datasetName, jobId: job.id });
      }
      return {
        workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
        baseModel: model ? { id: model.id, name: model.name } : null,
        buildModelCommand: model ? null : BUILD_MODEL_COMMAND,
        jobs,
      };
    } catch (error) {
      await removeWorkspace(workspace.id);
      throw error;
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

/** Undoes a half-made demo workspace (rows without a foreign key to the workspace are removed by id). */
async function removeWorkspace(workspaceId: string) {
  await db.job.deleteMany({ where: { workspaceId } });
  await db.baseModel.deleteMany({ where: { workspaceId } });
  await db.upload.deleteMany({ where: { workspaceId } });
  await db.workspace.delete({ where: { id: workspaceId } });
}

/** Registers the default base model in a workspace that has none yet (a demo workspace made before it was built). */
export async function registerDefaultModel({ workspaceId, userId }: { workspaceId: string; userId: string }) {
  const modelDir = defaultBaseModelDir();
  if (!modelDir) throw new AppError("BAD_REQUEST", `The demo model is not built yet. Run: ${BUILD_MODEL_COMMAND}`);
  // Registered folders are stored with symlinks resolved (models/folder-access.ts): look the real path up.
  const existing = await db.baseModel.findFirst({ where: { workspaceId, dir: { in: [modelDir, realpathSync(modelDir)] } } });
  if (existing) return { id: existing.id, name: existing.name };
  const model = await registerBaseModel({ workspaceId, userId, name: path.basename(modelDir), dir: modelDir });
  return { id: model.id, name: model.name };
}
