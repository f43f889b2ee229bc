import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, readlink, realpath, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { resolveArtifact } from "./artifacts";

/**
 * Derived model folders: `workspaces/<workspaceId>/derived/<key>/` under ARTIFACTS_DIR, one per workspace
 * and source content. It holds a symlink to every file of the source folder, and a real onnx/ folder
 * (linking the source's own graphs) where ONNX exports and int8/fp16 graphs are written. Readers see a
 * complete model folder; writers (which all write a temp file and rename it) only ever touch this folder.
 * Beside it, `<key>.source` names the source folder, so that a workspace's derived folders whose source nothing
 * references any more can be removed (pruneDerivedFolders).
 */

const SOURCE_RECORD = ".source";

/** The workspace's derived area, `workspaces/<workspaceId>/derived` under ARTIFACTS_DIR. */
export function derivedArea(workspaceId: string): string {
  if (!/^[\w-]+$/.test(workspaceId)) throw new Error(`invalid workspace id ${workspaceId}`);
  return resolveArtifact(`workspaces/${workspaceId}/derived`);
}

/** Content key: the source's resolved path and every file's name, size and mtime (a changed file → new key). */
async function contentKey(realSource: string): Promise<string> {
  const hash = createHash("sha256").update(realSource);
  const walk = async (dir: string, rel: string, depth: number) => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".tmp") || entry.name.includes(".tmp-")) continue;
      const abs = path.join(dir, entry.name);
      const s = await stat(abs);
      if (s.isDirectory()) {
        if (depth < 3) await walk(abs, `${rel}${entry.name}/`, depth + 1);
      } else hash.update(`\n${rel}${entry.name}\t${s.size}\t${s.mtimeMs}`);
    }
  };
  await walk(realSource, "", 0);
  return hash.digest("hex").slice(0, 32);
}

async function linkAll(fromDir: string, toDir: string, skip: (name: string) => boolean) {
  for (const entry of await readdir(fromDir, { withFileTypes: true })) {
    if (skip(entry.name) || entry.name.startsWith(".tmp") || entry.name.includes(".tmp-")) continue;
    await symlink(await realpath(path.join(fromDir, entry.name)), path.join(toDir, entry.name));
  }
}

/** The derived folder of `realSource` (already resolved and checked) for `workspaceId`, made when missing. */
export async function derivedModelFolder(workspaceId: string, realSource: string): Promise<string> {
  const key = await contentKey(realSource);
  const target = path.join(derivedArea(workspaceId), key);
  if (existsSync(target)) return target;
  await mkdir(path.dirname(target), { recursive: true });
  // Written first: a folder is never in place without the record that lets pruning find its source.
  await writeFile(`${target}${SOURCE_RECORD}`, realSource);
  // Built beside the target and renamed into place, so replicas preparing the same folder do not clash.
  const temp = `${target}.tmp-${randomBytes(6).toString("hex")}`;
  await mkdir(path.join(temp, "onnx"), { recursive: true });
  try {
    await linkAll(realSource, temp, (name) => name === "onnx");
    const sourceOnnx = path.join(realSource, "onnx");
    if (existsSync(sourceOnnx) && (await stat(sourceOnnx)).isDirectory()) {
      const files = (await readdir(sourceOnnx, { withFileTypes: true })).filter((e) => !e.isDirectory()).map((e) => e.name);
      await linkAll(sourceOnnx, path.join(temp, "onnx"), (name) => !files.includes(name));
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
  return target;
}

/** The source a derived folder was made from: its record, else (folders made before records) where its links point. */
async function sourceOf(folder: string): Promise<string | null> {
  const recorded = await readFile(`${folder}${SOURCE_RECORD}`, "utf8").catch(() => null);
  if (recorded) return recorded;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) return path.dirname(await readlink(path.join(folder, entry.name)));
  }
  return null;
}

/**
 * Removes the workspace's derived folders whose source is not in `referencedSources` (resolved source folders
 * that a row of the workspace still names), with their records; returns the keys removed. Folders being built
 * (`.tmp-`) and folders whose source cannot be told are kept (a failed build's record is overwritten by the next). A folder that pruning removes while a worker is
 * about to use it (its source named by a row added after the caller listed them) is made again by that worker.
 */
export async function pruneDerivedFolders(workspaceId: string, referencedSources: Iterable<string>): Promise<string[]> {
  const area = derivedArea(workspaceId);
  if (!existsSync(area)) return [];
  const keep = new Set(referencedSources);
  const removed: string[] = [];
  for (const entry of await readdir(area, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.includes(".tmp-")) continue;
    const folder = path.join(area, entry.name);
    const source = await sourceOf(folder);
    if (source === null || keep.has(source)) continue;
    await rm(folder, { recursive: true, force: true });
    await rm(`${folder}${SOURCE_RECORD}`, { force: true });
    removed.push(entry.name);
  }
  return removed;
}
