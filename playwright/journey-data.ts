import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Small MedQuAD files for the journey spec, built from ../shared/data at test time: training pairs from questions
 * the demo model did not hold out, and a BEIR evaluation set (corpus + queries + qrels) from its held-out test ids,
 * so base vs tuned is measured on questions neither model trained on.
 */
export const ROOT = path.resolve(import.meta.dirname, "..");
export const DEMO_MODEL = path.join(ROOT, ".cache/demo-model");
const MEDQUAD = path.resolve(ROOT, "../shared/data/medquad-en/gard-ghr.jsonl");

interface Row { qid: string; question: string; answer: string }

export function medquadFiles(opts: { trainPairs: number; evalQueries: number }) {
  const held = new Set((JSON.parse(readFileSync(path.join(DEMO_MODEL, "splits.json"), "utf8")) as { test_ids: string[] }).test_ids);
  const rows = readFileSync(MEDQUAD, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row);
  const train = rows.filter((r) => !held.has(`en:${r.qid}`)).filter((_, i) => i % 40 === 0).slice(0, opts.trainPairs);
  const evalRows = rows.filter((r) => held.has(`en:${r.qid}`)).filter((_, i) => i % 5 === 0).slice(0, opts.evalQueries * 2);
  // Every held-out answer joins the corpus (distractors too); half of the rows become queries.
  const docs = new Map<string, string>();
  for (const r of evalRows) if (!docs.has(r.answer)) docs.set(r.answer, `d${docs.size}`);
  const queries = evalRows.slice(0, opts.evalQueries);
  const buf = (lines: string[]) => Buffer.from(lines.join("\n") + "\n");
  return {
    pairs: buf(train.map((r) => JSON.stringify({ query: r.question, pos: [r.answer], neg: [] }))),
    corpus: buf([...docs.entries()].map(([text, id]) => JSON.stringify({ _id: id, text }))),
    queries: buf(queries.map((r) => JSON.stringify({ _id: `en:${r.qid}`, text: r.question }))),
    qrels: buf(["query-id\tcorpus-id\tscore", ...queries.map((r) => `en:${r.qid}\t${docs.get(r.answer)}\t1`)]),
    counts: { pairs: train.length, docs: docs.size, queries: queries.length },
  };
}

/** The demo model's embedding size, read from its config (what /v1/embeddings must return). */
export function demoModelDim(): number {
  return (JSON.parse(readFileSync(path.join(DEMO_MODEL, "config.json"), "utf8")) as { hidden_size: number }).hidden_size;
}
