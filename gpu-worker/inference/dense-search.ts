import * as ort from "onnxruntime-node";
import { buildOnnxModel, ElemType } from "./onnx-proto";

/**
 * Exact dense top-k by inner product (cosine for L2-normalised vectors), computed by onnxruntime:
 * Gemm(Q, Cᵀ) → TopK, on blocks of queries × blocks of the corpus, merging per-block top-k lists.
 * No JS loop touches the query × corpus pairs: MLAS does the matrix product, ORT's TopK the selection.
 *
 * Ties at equal score: ORT keeps the lower corpus index; evaluation re-ranks with trec_eval's rule.
 */
export interface DenseHit {
  index: number;
  score: number;
}

export interface DenseSearchOptions {
  /** Queries per ORT call (bounds the score block to queryBlock × corpusBlock floats). */
  queryBlock?: number;
  /** Corpus rows per ORT call. */
  corpusBlock?: number;
  threads?: number;
}

let sessionPromise: Promise<ort.InferenceSession> | null = null;
let sessionThreads = -1;

function topkGraph(): Uint8Array {
  return buildOnnxModel({
    name: "dense_topk",
    nodes: [
      { opType: "Gemm", inputs: ["q", "c"], outputs: ["s"], attrs: { transB: 1 } },
      { opType: "TopK", inputs: ["s", "k"], outputs: ["values", "indices"], attrs: { axis: 1, largest: 1, sorted: 1 } },
    ],
    inputs: [
      { name: "q", elemType: ElemType.FLOAT, shape: ["m", "d"] },
      { name: "c", elemType: ElemType.FLOAT, shape: ["n", "d"] },
      { name: "k", elemType: ElemType.INT64, shape: [1] },
    ],
    outputs: [
      { name: "values", elemType: ElemType.FLOAT, shape: ["m", "kk"] },
      { name: "indices", elemType: ElemType.INT64, shape: ["m", "kk"] },
    ],
  });
}

function session(threads: number): Promise<ort.InferenceSession> {
  if (!sessionPromise || sessionThreads !== threads) {
    sessionThreads = threads;
    sessionPromise = ort.InferenceSession.create(topkGraph(), {
      intraOpNumThreads: threads,
      graphOptimizationLevel: "all",
    });
  }
  return sessionPromise;
}

/**
 * Top-k corpus rows for each query. `queries` is m × dim, `corpus` is n × dim (row-major Float32Array).
 * Returns, per query, up to k hits sorted by score descending.
 */
export async function denseTopK(
  queries: Float32Array,
  corpus: Float32Array,
  dim: number,
  k: number,
  opts: DenseSearchOptions = {},
): Promise<DenseHit[][]> {
  const m = queries.length / dim;
  const n = corpus.length / dim;
  if (!Number.isInteger(m) || !Number.isInteger(n)) throw new Error(`denseTopK: array lengths are not multiples of dim ${dim}`);
  if (n === 0) throw new Error("denseTopK: the corpus is empty");
  const s = await session(opts.threads ?? 0);
  const qb = opts.queryBlock ?? 256;
  const cb = Math.min(n, opts.corpusBlock ?? 131072);
  const out: DenseHit[][] = [];
  for (let q0 = 0; q0 < m; q0 += qb) {
    const mq = Math.min(qb, m - q0);
    const qt = new ort.Tensor("float32", queries.subarray(q0 * dim, (q0 + mq) * dim), [mq, dim]);
    // Per-query candidates gathered across corpus blocks.
    const partial: Array<{ values: Float32Array; indices: BigInt64Array; offset: number; kk: number }> = [];
    for (let c0 = 0; c0 < n; c0 += cb) {
      const nc = Math.min(cb, n - c0);
      const kk = Math.min(k, nc);
      const ct = new ort.Tensor("float32", corpus.subarray(c0 * dim, (c0 + nc) * dim), [nc, dim]);
      const r = await s.run({ q: qt, c: ct, k: new ort.Tensor("int64", BigInt64Array.from([BigInt(kk)]), [1]) });
      partial.push({ values: r.values!.data as Float32Array, indices: r.indices!.data as BigInt64Array, offset: c0, kk });
    }
    for (let i = 0; i < mq; i++) {
      let hits: DenseHit[] = [];
      for (const p of partial)
        for (let j = 0; j < p.kk; j++) hits.push({ index: p.offset + Number(p.indices[i * p.kk + j]!), score: p.values[i * p.kk + j]! });
      if (partial.length > 1) hits = hits.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
      out.push(hits);
    }
  }
  return out;
}
