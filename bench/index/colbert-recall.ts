/**
 * bench/index/colbert-recall: what each ColBERT storage option of an index costs in retrieval quality, measured the
 * way the "Index a corpus" job measures it (gpu-worker/indexing/colbert-recall.ts), on a MedQuAD cut with the demo
 * model: each question is judged against its own answer, the other answers are distractors. The baseline is the
 * model's full float ColBERT vectors reranking the same dense shortlists; each row is Δ against it.
 * Usage: npx tsx bench/index/colbert-recall.ts [--docs 400] [--queries 200] [--max-length 128]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadEncoder } from "../../gpu-worker/inference/load";
import { measureColbertRecall } from "../../gpu-worker/indexing/colbert-recall";
import { MEDQUAD_JSONL } from "../../server/testing/shared-data";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({ options: { docs: { type: "string", default: "400" }, queries: { type: "string", default: "200" }, "max-length": { type: "string", default: "128" } } });
const docs = Number(values.docs);
const judged = Math.min(Number(values.queries), docs);
const rows = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").filter(Boolean).slice(0, docs).map((l) => JSON.parse(l) as { qid: string; question: string; answer: string });
const corpus = rows.map((r) => ({ id: `d-${r.qid}`, text: r.answer }));
const queries = rows.slice(0, judged).map((r) => ({ id: `q-${r.qid}`, text: r.question }));
const qrels = new Map(rows.slice(0, judged).map((r) => [`q-${r.qid}`, new Map([[`d-${r.qid}`, 1]])]));

const { encoder } = await loadEncoder(path.join(ROOT, ".cache/demo-model"), { threads: 1 });
try {
  const dim = encoder.dim;
  const options = [dim, dim / 2, dim / 4].flatMap((d) => [{ dimensions: d, format: "float" as const }, { dimensions: d, format: "int8" as const }]);
  const c = await measureColbertRecall({ encoder, label: `MedQuAD ${docs}`, data: { corpus, queries, qrels }, options, passageMaxLength: Number(values["max-length"]) });
  const f = (x: number) => x.toFixed(4);
  const d = (x: number) => (x === 0 ? "±0" : `${x > 0 ? "+" : "−"}${Math.abs(x).toFixed(4)}`);
  console.log(`${c.queries} judged queries, ${c.corpus} documents, dense top ${c.candidates} reranked; baseline full float ${dim} dims: recall@10 ${f(c.baseline.recall)}, nDCG@10 ${f(c.baseline.ndcg)}\n`);
  console.log(`| ColBERT option | recall@10 | Δ recall@10 | nDCG@10 | Δ nDCG@10 | nDCG@10 ÷ baseline |\n|---|---|---|---|---|---|`);
  for (const o of c.options) console.log(`| ${o.dimensions} dims, ${o.format} | ${f(o.recall)} | ${d(o.recallDelta)} | ${f(o.ndcg)} | ${d(o.ndcgDelta)} | ${(o.ndcg / c.baseline.ndcg).toFixed(4)} |`);
} finally {
  await encoder.backend.close();
}
