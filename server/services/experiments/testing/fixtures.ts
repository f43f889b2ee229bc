import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { runImport } from "../../datasets/import/run-import";
import { importPairs, uploadContent } from "../../../testing/datasets";

/**
 * Test data made from ../shared/data (MedQuAD): training pairs from the demo model's train side and an
 * evaluation set (BEIR layout) from its held-out test ids (splits.json), so no focus leaks into evaluation.
 */
export const ROOT = path.resolve(import.meta.dirname, "../../../..");
export const DEMO_MODEL = path.join(ROOT, ".cache/demo-model");
const MEDQUAD = path.resolve(ROOT, "../shared/data/medquad-en/gard-ghr.jsonl");

export function ensureDemoModel() {
  if (!existsSync(path.join(DEMO_MODEL, "onnx", "model.onnx"))) execFileSync("bash", ["scripts/build-demo-model.sh"], { cwd: ROOT, stdio: "inherit" });
  return DEMO_MODEL;
}

interface Row { qid: string; question: string; answer: string; focus: string }

export function medquadSplit(opts: { train: number; evalQueries: number; distractors: number }) {
  const test = new Set((JSON.parse(readFileSync(path.join(DEMO_MODEL, "splits.json"), "utf8")) as { test_ids: string[] }).test_ids);
  const rows = readFileSync(MEDQUAD, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row);
  const trainRows = rows.filter((r) => !test.has(`en:${r.qid}`));
  const testRows = rows.filter((r) => test.has(`en:${r.qid}`));
  // Spread the training sample over the file (many foci), deterministic.
  const stride = Math.max(1, Math.floor(trainRows.length / opts.train));
  const train = trainRows.filter((_, i) => i % stride === 0).slice(0, opts.train).map((r) => ({ query: r.question, pos: [r.answer] }));
  const evalStride = Math.max(1, Math.floor(testRows.length / (opts.evalQueries + opts.distractors)));
  const picked = testRows.filter((_, i) => i % evalStride === 0).slice(0, opts.evalQueries + opts.distractors);
  const docs = new Map<string, string>();
  const docOf = new Map<string, string>();
  for (const r of picked) {
    const key = r.answer.trim();
    if (!docs.has(key)) docs.set(key, `d${docs.size}`);
    docOf.set(r.qid, docs.get(key)!);
  }
  const queries = picked.slice(0, opts.evalQueries);
  return {
    train,
    corpus: [...docs.entries()].map(([text, id]) => ({ _id: id, text })),
    queries: queries.map((r) => ({ _id: `en:${r.qid}`, text: r.question })),
    qrels: queries.map((r) => ({ qid: `en:${r.qid}`, docid: docOf.get(r.qid)! })),
  };
}

export async function importMedquad(workspaceId: string, userId: string, opts = { train: 400, evalQueries: 200, distractors: 300 }) {
  const data = medquadSplit(opts);
  const train = await importPairs(workspaceId, userId, "medquad-train", data.train);
  const corpus = await uploadContent(workspaceId, userId, "corpus.jsonl", data.corpus.map((d) => JSON.stringify(d)).join("\n"));
  const queries = await uploadContent(workspaceId, userId, "queries.jsonl", data.queries.map((q) => JSON.stringify(q)).join("\n"));
  const qrels = await uploadContent(workspaceId, userId, "qrels.tsv", "query-id\tcorpus-id\tscore\n" + data.qrels.map((r) => `${r.qid}\t${r.docid}\t1`).join("\n") + "\n");
  const evaluation = await runImport(
    { workspaceId, userId, datasetName: "medquad-heldout", kind: "EVALUATION", pairsAsEvaluation: false, files: [{ uploadId: corpus.id, role: "corpus" }, { uploadId: queries.id, role: "queries" }, { uploadId: qrels.id, role: "qrels" }] },
    { progress: async () => undefined, signal: new AbortController().signal },
  );
  return { trainVersionId: train.versionId, evalVersionId: evaluation.versionId, data };
}
