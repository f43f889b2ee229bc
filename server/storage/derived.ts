import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, realpath, rename, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { resolveArtifact } from "./artifacts";

/**
 * Derived model folders: `workspaces/<workspaceId>/derived/<key>/` under ARTIFACTS_DIR, one per workspace
 * and source content. It holds a symlink to every file of the source folder, and a real onnx/ folder
 * (linking the source's own graphs) where ONNX exports and int8/fp16 graphs are written. Readers see a
 * complete model folder; writers (which all write a temp file and rename it) only ever touch this folder.
 */

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
  if (!/^[\w-]+$/.test(workspaceId)) throw new Error(`invalid workspace id ${workspaceId}`);
  const key = await contentKey(realSource);
  const target = resolveArtifact(`workspaces/${workspaceId}/derived/${key}`);
  if (existsSync(target)) return target;
  await mkdir(path.dirname(target), { recursive: true });
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
