import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runImport } from "../services/datasets/import/run-import";
import { storeLocalFile } from "../services/datasets/uploads";

/** Test helpers that import real files through the real import path. */
export async function useTempArtifacts() {
  process.env.ARTIFACTS_DIR ??= await mkdtemp(path.join(os.tmpdir(), "m3-artifacts-"));
}

export function uploadFile(workspaceId: string, userId: string, file: string, name = path.basename(file)) {
  return storeLocalFile({ workspaceId, userId, file, name });
}

export async function uploadContent(workspaceId: string, userId: string, name: string, content: string | Buffer) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "m3-upload-"));
  const file = path.join(dir, name);
  await writeFile(file, content);
  return uploadFile(workspaceId, userId, file, name);
}

export async function importPairs(workspaceId: string, userId: string, datasetName: string, pairs: { query: string; pos: string[]; neg?: string[]; group?: string }[]) {
  const upload = await uploadContent(workspaceId, userId, `${datasetName}.jsonl`, pairs.map((p) => JSON.stringify({ neg: [], ...p })).join("\n"));
  return runImport(
    { workspaceId, userId, datasetName, kind: "TRAINING", pairsAsEvaluation: false, files: [{ uploadId: upload.id, role: "pairs" }] },
    { progress: async () => undefined, signal: new AbortController().signal },
  );
}
