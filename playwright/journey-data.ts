import { readFileSync } from "node:fs";
import path from "node:path";
import { DEMO_SIZES, medquadSplit } from "../server/services/demo/demo-files";
import { MEDQUAD_JSONL } from "../server/testing/shared-data";

/**
 * Small MedQuAD files for the browser specs, built from ../shared/data at test time with the demo's split
 * (server/services/demo/demo-files.ts): training pairs from foci the demo model trained on, and a BEIR evaluation
 * set (corpus + queries + qrels) from the foci it held out, so base vs tuned is measured on questions neither model
 * trained on. Every held-out answer picked joins the corpus; `evalQueries` of them become queries.
 */
export const ROOT = path.resolve(import.meta.dirname, "..");
export const DEMO_MODEL = path.join(ROOT, ".cache/demo-model");
/** The name the default model gets when a workspace is offered it: its folder's name. */
export const DEFAULT_MODEL_NAME = path.basename(DEMO_MODEL);

export function medquadFiles(opts: { trainPairs: number; evalQueries: number }) {
  const split = medquadSplit(readFileSync(MEDQUAD_JSONL, "utf8").split("\n"), {
    ...DEMO_SIZES, train: opts.trainPairs, evalQueries: opts.evalQueries, distractors: opts.evalQueries,
  });
  const buf = (lines: string[]) => Buffer.from(lines.join("\n") + "\n");
  return {
    pairs: buf(split.train.map((r) => JSON.stringify({ query: r.question, pos: [r.answer], neg: [] }))),
    corpus: buf(split.corpus.map((d) => JSON.stringify(d))),
    queries: buf(split.queries.map((q) => JSON.stringify(q))),
    qrels: buf(["query-id\tcorpus-id\tscore", ...split.qrels.map((r) => `${r.qid}\t${r.docid}\t1`)]),
    counts: { pairs: split.train.length, docs: split.corpus.length, queries: split.queries.length },
  };
}

/** The demo model's embedding size, read from its config (what /v1/embeddings must return). */
export function demoModelDim(): number {
  return (JSON.parse(readFileSync(path.join(DEMO_MODEL, "config.json"), "utf8")) as { hidden_size: number }).hidden_size;
}
