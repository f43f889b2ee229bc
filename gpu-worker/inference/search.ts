import type { Run, ScoredDoc } from "~/server/lib/metrics/types";
import { DEFAULT_HYBRID_WEIGHTS, reciprocalRankFusion, weightedSum } from "~/server/lib/retrieval/fusion";
import { lexicalScore, SparseIndex, type LexicalWeights } from "~/server/lib/retrieval/sparse";
import { colbertScores } from "./colbert-scores";
import { denseTopK } from "./dense-search";
import { corpusCacheKey, readCorpusCache, writeCorpusCache } from "./embedding-cache";
import type { M3Encoder } from "./encoder";
import { InputDataError } from "./errors";

/**
 * Retrieval over an encoded corpus with BGE-M3's modes:
 * - dense: exact inner-product top-k on onnxruntime (dense-search.ts);
 * - sparse: lexical matching through an inverted index;
 * - colbert: ColBERT re-ranking of the dense top-`candidates`;
 * - hybrid: weighted sum of dense, sparse and ColBERT scores (default [0.4, 0.2, 0.4]) over the union of the
 *   dense and sparse top-`candidates`;
 * - rrf: reciprocal rank fusion of the dense, sparse and ColBERT rankings of that same candidate union.
 */
export type SearchMode = "dense" | "sparse" | "colbert" | "hybrid" | "rrf";

export interface CorpusIndex {
  ids: string[];
  texts: string[];
  dim: number;
  dense: Float32Array;
  sparse?: LexicalWeights[];
  sparseIndex?: SparseIndex;
  maxLength: number;
  truncated: number;
}

export interface BuildIndexOptions {
  maxLength: number;
  sparse?: boolean;
  /** Folder for the embedding cache plus the model fingerprint; no caching without both. */
  cache?: { dir: string; model: string };
  onProgress?: (done: number, total: number) => void | Promise<void>;
  signal?: AbortSignal;
  corpusFile?: string;
}

export async function buildCorpusIndex(encoder: M3Encoder, docs: ReadonlyArray<{ id: string; text: string }>, opts: BuildIndexOptions): Promise<CorpusIndex> {
  if (docs.length === 0) throw new InputDataError(`the corpus${opts.corpusFile ? ` ${opts.corpusFile}` : ""} is empty`, opts.corpusFile);
  const withSparse = opts.sparse ?? false;
  const key = opts.cache ? corpusCacheKey(opts.cache.model, docs, opts.maxLength, withSparse) : null;
  const cached = key && opts.cache ? readCorpusCache(opts.cache.dir, key) : null;
  let dense: Float32Array;
  let sparse: LexicalWeights[] | undefined;
  let truncated = 0;
  if (cached && cached.dim === encoder.dim) {
    dense = cached.dense;
    sparse = cached.sparse;
    await opts.onProgress?.(docs.length, docs.length);
  } else {
    const enc = await encoder.encode(
      docs.map((d) => d.text),
      { maxLength: opts.maxLength, outputs: withSparse ? ["dense", "sparse"] : ["dense"], onProgress: opts.onProgress, signal: opts.signal },
    );
    dense = enc.dense;
    sparse = enc.sparse;
    truncated = enc.truncated.length;
    if (key && opts.cache) writeCorpusCache(opts.cache.dir, key, { dim: encoder.dim, dense, sparse });
  }
  return {
    ids: docs.map((d) => d.id),
    texts: docs.map((d) => d.text),
    dim: encoder.dim,
    dense,
    sparse,
    sparseIndex: sparse ? new SparseIndex(sparse) : undefined,
    maxLength: opts.maxLength,
    truncated,
  };
}

export interface SearchOptions {
  mode?: SearchMode;
  k?: number;
  /** Candidates per list for colbert / hybrid / rrf. */
  candidates?: number;
  weights?: [number, number, number];
  queryMaxLength: number;
  threads?: number;
  signal?: AbortSignal;
}

export interface SearchResult {
  run: Run;
  queryTruncated: number;
}

export async function searchCorpus(
  encoder: M3Encoder,
  index: CorpusIndex,
  queries: ReadonlyArray<{ id: string; text: string }>,
  opts: SearchOptions,
): Promise<SearchResult> {
  const mode = opts.mode ?? "dense";
  const k = opts.k ?? 100;
  const nCand = Math.max(k, opts.candidates ?? 100);
  const needSparse = mode === "sparse" || mode === "hybrid" || mode === "rrf";
  const needColbert = mode === "colbert" || mode === "hybrid" || mode === "rrf";
  if (needSparse && !index.sparseIndex) throw new Error(`search mode "${mode}" needs a corpus index built with sparse weights`);
  const outputs = ["dense", ...(needSparse ? ["sparse"] : []), ...(needColbert ? ["colbert"] : [])] as Array<"dense" | "sparse" | "colbert">;
  const q = await encoder.encode(queries.map((x) => x.text), { maxLength: opts.queryMaxLength, outputs, signal: opts.signal });
  const dim = index.dim;
  const run: Run = new Map();
  const toDocs = (hits: Array<{ index: number; score: number }>): ScoredDoc[] => hits.map((h) => ({ docId: index.ids[h.index]!, score: h.score }));

  if (mode === "sparse") {
    queries.forEach((qq, i) => run.set(qq.id, toDocs(index.sparseIndex!.search(q.sparse![i]!, k))));
    return { run, queryTruncated: q.truncated.length };
  }
  const dense = await denseTopK(q.dense, index.dense, dim, mode === "dense" ? k : nCand, { threads: opts.threads });
  if (mode === "dense") {
    queries.forEach((qq, i) => run.set(qq.id, toDocs(dense[i]!)));
    return { run, queryTruncated: q.truncated.length };
  }
  // Candidate sets per query, then ColBERT vectors for every candidate document (encoded once).
  const candSets = queries.map((_, i) => {
    const s = new Set(dense[i]!.map((h) => h.index));
    if (mode !== "colbert") for (const h of index.sparseIndex!.search(q.sparse![i]!, nCand)) s.add(h.index);
    return [...s];
  });
  const allCand = [...new Set(candSets.flat())];
  const enc = await encoder.encode(allCand.map((d) => index.texts[d]!), { maxLength: index.maxLength, outputs: ["colbert"], signal: opts.signal });
  const colbertOf = new Map(allCand.map((d, j) => [d, enc.colbert![j]!]));
  for (const [i, qq] of queries.entries()) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
    const qd = q.dense.subarray(i * dim, (i + 1) * dim);
    const cb = await colbertScores(q.colbert![i]!, candSets[i]!.map((d) => colbertOf.get(d)!), dim);
    const scored = candSets[i]!.map((d, j) => {
      let ds = 0;
      for (let t = 0; t < dim; t++) ds += qd[t]! * index.dense[d * dim + t]!;
      return {
        index: d,
        dense: ds,
        sparse: needSparse ? lexicalScore(q.sparse![i]!, index.sparse![d]!) : 0,
        colbert: cb[j]!,
      };
    });
    let hits: Array<{ index: number; score: number }>;
    if (mode === "colbert") hits = scored.map((s) => ({ index: s.index, score: s.colbert }));
    else if (mode === "hybrid") hits = scored.map((s) => ({ index: s.index, score: weightedSum(s, opts.weights ?? DEFAULT_HYBRID_WEIGHTS) }));
    else {
      const by = (key: "dense" | "sparse" | "colbert") => [...scored].sort((a, b) => b[key] - a[key] || a.index - b.index).map((s) => s.index);
      hits = reciprocalRankFusion([by("dense"), by("sparse"), by("colbert")]).map((r) => ({ index: r.id, score: r.score }));
    }
    hits.sort((a, b) => b.score - a.score || a.index - b.index);
    run.set(qq.id, toDocs(hits.slice(0, k)));
  }
  return { run, queryTruncated: q.truncated.length };
}
