import { evaluateRun, type Qrels, type Run } from "~/server/lib/metrics";
import { colbertScores } from "../inference/colbert-scores";
import { denseTopK } from "../inference/dense-search";
import type { M3Encoder } from "../inference/encoder";
import type { EvalData } from "../inference/eval-data";
import type { ColbertOptionRecall, ColbertRecallCost } from "./storage-cost";
import { cutColbert, quantizeInt8, type ColbertFormat } from "./vector-formats";

/**
 * The recall cost of each ColBERT storage option on an evaluation set: every judged query's dense top
 * `candidates` from the set's corpus are reranked by ColBERT (MaxSim) with the passages' vectors as each option
 * stores them — cut to the first d dimensions and re-normalised (cutColbert), kept as float or int8 then read back
 * (quantizeInt8 · scale) — and recall@10 / nDCG@10 of that ranking are compared with the same rerank by the
 * model's full float vectors. Queries stay float and are cut like the passages (a query is never stored).
 * Reranking a dense shortlist is how BGE-M3's ColBERT output is used; it also keeps memory bounded: passages'
 * ColBERT vectors are encoded per group of queries (at most MAX_GROUP_PASSAGES at a time), never for the corpus.
 */
export const RECALL_CANDIDATES = 50;
/** Judged queries measured (the first ones in qrels order): enough for a stable mean, bounded in time. */
export const RECALL_MAX_QUERIES = 200;
const MAX_GROUP_PASSAGES = 256;
const QUERY_MAX_LENGTH = 64;
const K = 10;

export interface ColbertRecallInput {
  encoder: M3Encoder;
  /** What the page calls the set ("organs v1"). */
  label: string;
  data: Pick<EvalData, "corpus" | "queries" | "qrels">;
  options: ReadonlyArray<{ dimensions: number; format: ColbertFormat }>;
  passageMaxLength: number;
  signal?: AbortSignal;
  candidates?: number;
  maxQueries?: number;
}

/** Rows as an option stores them: cut to `dimensions`, and for int8 quantised and read back. */
export function storedColbert(rows: Float32Array, dim: number, dimensions: number, format: ColbertFormat): Float32Array {
  const cut = cutColbert(rows, dim, dimensions);
  if (format === "float") return cut;
  const { values, scales } = quantizeInt8(cut, dimensions);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * scales[Math.floor(i / dimensions)]!;
  return out;
}

const optionKey = (o: { dimensions: number; format: string }) => `${o.dimensions}-${o.format}`;

export async function measureColbertRecall(input: ColbertRecallInput): Promise<ColbertRecallCost> {
  const { encoder, data, signal } = input;
  const dim = encoder.dim;
  const depth = input.candidates ?? RECALL_CANDIDATES;
  const queries = data.queries.filter((q) => data.qrels.has(q.id)).slice(0, input.maxQueries ?? RECALL_MAX_QUERIES);
  if (queries.length === 0) throw new Error(`${input.label}: the evaluation set has no judged query`);
  if (data.corpus.length === 0) throw new Error(`${input.label}: the evaluation set has no documents`);
  const qrels: Qrels = new Map(queries.map((q) => [q.id, data.qrels.get(q.id)!]));
  const baseline = { dimensions: dim, format: "float" as const };
  const measured = [baseline, ...input.options.filter((o) => optionKey(o) !== optionKey(baseline))];
  for (const o of measured) if (o.dimensions < 1 || o.dimensions > dim) throw new Error(`colbert dimensions ${o.dimensions} is outside 1…${dim}`);

  // Shortlists: dense top `depth` of the set's corpus, by the same model.
  const corpusDense = (await encoder.encode(data.corpus.map((d) => d.text), { maxLength: input.passageMaxLength, outputs: ["dense"], signal })).dense;
  const q = await encoder.encode(queries.map((x) => x.text), { maxLength: QUERY_MAX_LENGTH, outputs: ["dense", "colbert"], signal });
  const shortlists = (await denseTopK(q.dense, corpusDense, dim, Math.min(depth, data.corpus.length))).map((hits) => hits.map((h) => h.index));

  const runs = new Map(measured.map((o) => [optionKey(o), new Map() as Run]));
  for (let start = 0; start < queries.length; ) {
    // A group of queries whose shortlists together stay within MAX_GROUP_PASSAGES passages.
    const union = new Set<number>();
    let end = start;
    while (end < queries.length) {
      const next = new Set([...union, ...shortlists[end]!]);
      if (end > start && next.size > MAX_GROUP_PASSAGES) break;
      next.forEach((i) => union.add(i));
      end++;
    }
    const ids = [...union];
    const enc = await encoder.encode(ids.map((i) => data.corpus[i]!.text), { maxLength: input.passageMaxLength, outputs: ["colbert"], signal });
    const position = new Map(ids.map((docIndex, j) => [docIndex, j]));
    for (const o of measured) {
      const stored = enc.colbert!.map((rows) => storedColbert(rows, dim, o.dimensions, o.format));
      const run = runs.get(optionKey(o))!;
      for (let qi = start; qi < end; qi++) {
        const shortlist = shortlists[qi]!;
        const query = cutColbert(q.colbert![qi]!, dim, o.dimensions);
        const scores = await colbertScores(query, shortlist.map((docIndex) => stored[position.get(docIndex)!]!), o.dimensions);
        run.set(queries[qi]!.id, shortlist.map((docIndex, j) => ({ docId: data.corpus[docIndex]!.id, score: scores[j]! })));
      }
    }
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    start = end;
  }

  const score = (o: { dimensions: number; format: string }) => {
    const mean = evaluateRun(qrels, runs.get(optionKey(o))!, [K]).mean;
    return { recall: mean[`recall@${K}`]!, ndcg: mean[`ndcg@${K}`]! };
  };
  const base = score(baseline);
  const options: ColbertOptionRecall[] = input.options.map((o) => {
    const s = score(o);
    return { dimensions: o.dimensions, format: o.format, recall: s.recall, ndcg: s.ndcg, recallDelta: s.recall - base.recall, ndcgDelta: s.ndcg - base.ndcg };
  });
  return {
    evaluation: input.label, queries: queries.length, judgedQueries: data.qrels.size, corpus: data.corpus.length, candidates: Math.min(depth, data.corpus.length), k: K,
    baseline: { ...baseline, ...base }, options,
  };
}
