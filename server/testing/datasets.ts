import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runImport } from "../services/datasets/import/run-import";
import { storeLocalFile } from "../services/datasets/uploads";
import { createUser, createWorkspaceWith } from "./factories";

/** Test helpers that import real files through the real import path. */
export async function useTempArtifacts() {
  process.env.ARTIFACTS_DIR ??= await mkdtemp(path.join(os.tmpdir(), "m3-artifacts-"));
}

/** A temporary artifacts folder and a new workspace with one owner: the usual start of a datasets test file. */
export async function ownerWorkspaceWithArtifacts(): Promise<{ workspaceId: string; userId: string }> {
  await useTempArtifacts();
  const userId = (await createUser()).id;
  const workspaceId = (await createWorkspaceWith([{ userId, role: "OWNER" }])).id;
  return { workspaceId, userId };
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

/** A BEIR evaluation set in memory: corpus documents, queries and binary relevance judgements. */
export interface BeirSet {
  corpus: { _id: string; text: string }[];
  queries: { _id: string; text: string }[];
  qrels: { qid: string; docid: string }[];
}

/** Imports a BEIR set (corpus.jsonl + queries.jsonl + qrels.tsv) as an EVALUATION dataset through the real import. */
export async function importBeir(workspaceId: string, userId: string, datasetName: string, set: BeirSet) {
  const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");
  const corpus = await uploadContent(workspaceId, userId, "corpus.jsonl", jsonl(set.corpus));
  const queries = await uploadContent(workspaceId, userId, "queries.jsonl", jsonl(set.queries));
  const qrels = await uploadContent(workspaceId, userId, "qrels.tsv", "query-id\tcorpus-id\tscore\n" + set.qrels.map((r) => `${r.qid}\t${r.docid}\t1`).join("\n") + "\n");
  return runImport(
    { workspaceId, userId, datasetName, kind: "EVALUATION", pairsAsEvaluation: false, files: [{ uploadId: corpus.id, role: "corpus" }, { uploadId: queries.id, role: "queries" }, { uploadId: qrels.id, role: "qrels" }] },
    { progress: async () => undefined, signal: new AbortController().signal },
  );
}
