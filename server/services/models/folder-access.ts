import { readdirSync } from "node:fs";
import path from "node:path";
import { db } from "../../db";
import { PermanentJobError } from "../../jobs/types";
import { AppError } from "../../lib/app-error";
import { resolveArtifact } from "../../storage/artifacts";
import { derivedModelFolder } from "../../storage/derived";
import { assertAbsolute, folderNotAvailable, isInside, realArtifactsRoot, realpathOrNull, rootHolding } from "./model-roots";

/**
 * Which model folders a workspace may use: folders under the allowed model roots (model-roots.ts), and
 * its own checkpoints (a Checkpoint row of this workspace), nothing else. Paths are resolved with
 * symlinks followed before any check, and every refusal reads the same (folderNotAvailable).
 */
export interface FolderAccess {
  /** The folder with symlinks followed: what is stored and read. */
  realDir: string;
  /** A checkpoint this workspace's own trainer or merge wrote (it may keep its own onnx/). */
  ownCheckpoint: boolean;
}

/** The checkpoint row of `workspaceId` whose folder is `realDir`, if any. */
async function ownCheckpointAt(workspaceId: string, realDir: string): Promise<boolean> {
  const rows = await db.checkpoint.findMany({ where: { workspaceId, dir: { endsWith: path.basename(realDir) } }, select: { dir: true } });
  return rows.some((row) => {
    try {
      return realpathOrNull(resolveArtifact(row.dir)) === realDir;
    } catch {
      return false;
    }
  });
}

/**
 * Files of the folder (and of its sub-folders such as onnx/) that are symlinks must stay inside `area`:
 * otherwise a folder under a root could link, say, model.safetensors to another workspace's weights.
 */
function assertLinksStayInside(realDir: string, area: string, shownDir: string) {
  const visit = (dir: string, rel: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      const real = realpathOrNull(abs);
      if (!real || !isInside(real, area)) {
        throw new AppError("BAD_REQUEST", `${rel}${entry.name} in ${shownDir} links outside the folders models may be registered from.`, "dir");
      }
      if (depth < 2 && entry.isDirectory()) visit(abs, `${rel}${entry.name}/`, depth + 1);
    }
  };
  visit(realDir, "", 0);
}

/** Resolves `dir` for `workspaceId`, or throws the same error for missing, outside the roots and foreign. */
export async function resolveWorkspaceFolder(workspaceId: string, dir: string): Promise<FolderAccess> {
  assertAbsolute(dir);
  const realDir = realpathOrNull(path.resolve(dir));
  if (!realDir) throw folderNotAvailable(dir);
  if (isInside(realDir, realArtifactsRoot())) {
    if (!(await ownCheckpointAt(workspaceId, realDir))) throw folderNotAvailable(dir);
    assertLinksStayInside(realDir, realDir, dir);
    return { realDir, ownCheckpoint: true };
  }
  const root = rootHolding(realDir);
  if (!root) throw folderNotAvailable(dir);
  assertLinksStayInside(realDir, root, dir);
  return { realDir, ownCheckpoint: false };
}

/**
 * The folder a worker task reads a model from and writes derived files (ONNX exports, int8/fp16 graphs)
 * into: the workspace's own checkpoint folder itself, else the workspace's derived folder for that
 * content (links to the source files + its own onnx/), so nothing is ever written into a registered folder.
 * Checked again here, on the worker, because the folder may have changed since it was registered.
 */
export async function workingModelFolder(workspaceId: string, dir: string): Promise<string> {
  const access = await resolveWorkspaceFolder(workspaceId, dir);
  return access.ownCheckpoint ? access.realDir : derivedModelFolder(workspaceId, access.realDir);
}

/**
 * The folder a worker task only reads a model from (training, merging), checked again on the worker: the
 * folder may have changed since registration, or been registered before folders were confined. A refusal
 * is permanent: no retry makes a foreign or missing folder readable.
 */
export async function readableModelFolder(workspaceId: string, dir: string): Promise<string> {
  try {
    return (await resolveWorkspaceFolder(workspaceId, dir)).realDir;
  } catch (error) {
    throw new PermanentJobError((error as Error).message);
  }
}
