import { existsSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { db } from "../db";
import { resolveArtifact } from "./artifacts";

/**
 * What a workspace's storage quota (WORKSPACE_STORAGE_QUOTA_BYTES) counts: its uploads (their recorded sizes)
 * plus the bytes on disk of what the platform stored for it under ARTIFACTS_DIR —
 * `workspaces/<id>/` (derived model files: ONNX exports, int8/fp16 graphs; search indexes), each of its runs'
 * `experiments/<runId>/` (tokenised data, checkpoints, merged models) and each of its dataset versions'
 * materialised evaluation sets (`evalsets/<versionId>/`). Symlinks are not followed (a derived folder links
 * to the registered folder's files, which are the operator's) and a file linked twice is counted once.
 */
export interface WorkspaceUsage {
  uploads: number;
  /** Bytes under workspaces/<id>/ (derived model files, indexes). */
  workspaceFiles: number;
  /** Bytes of the workspace's runs and evaluation sets. */
  runsAndEvalSets: number;
  total: number;
}

/** Bytes of the regular files under `dir` (absent: 0), each inode once, symlinks not followed. */
async function bytesUnder(dir: string, seen: Set<string>): Promise<number> {
  if (!existsSync(dir)) return 0;
  let total = 0;
  const visit = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile()) {
        const info = await lstat(full).catch(() => null); // removed meanwhile: not counted
        if (!info || seen.has(`${info.dev}:${info.ino}`)) continue;
        seen.add(`${info.dev}:${info.ino}`);
        total += info.size;
      }
    }
  };
  await visit(dir);
  return total;
}

export async function workspaceUsage(workspaceId: string): Promise<WorkspaceUsage> {
  const [uploadSum, runs, versions] = await Promise.all([
    db.upload.aggregate({ where: { workspaceId }, _sum: { sizeBytes: true } }),
    db.experiment.findMany({ where: { workspaceId }, select: { outputDir: true } }),
    db.datasetVersion.findMany({ where: { workspaceId }, select: { id: true } }),
  ]);
  const seen = new Set<string>();
  const workspaceFiles = await bytesUnder(resolveArtifact(`workspaces/${workspaceId}`), seen);
  let runsAndEvalSets = 0;
  for (const run of runs) runsAndEvalSets += await bytesUnder(resolveArtifact(run.outputDir), seen);
  for (const version of versions) runsAndEvalSets += await bytesUnder(resolveArtifact(`evalsets/${version.id}`), seen);
  const uploads = Number(uploadSum._sum.sizeBytes ?? 0n);
  return { uploads, workspaceFiles, runsAndEvalSets, total: uploads + workspaceFiles + runsAndEvalSets };
}
