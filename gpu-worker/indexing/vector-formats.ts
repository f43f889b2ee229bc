import type { LexicalWeights } from "~/server/lib/retrieval/sparse";

/**
 * The shapes BGE-M3's sparse and ColBERT outputs take on the way out of the platform — in `/v1/encode` responses
 * and in the index exports (Milvus, Qdrant, Elasticsearch/OpenSearch, pgvector) — so both speak the same formats.
 */

/** How `/v1/encode` returns sparse weights. */
export const SPARSE_FORMATS = ["tokens_and_ids", "tokens", "ids", "indices_values"] as const;
export type SparseFormat = (typeof SPARSE_FORMATS)[number];

/** How ColBERT vectors are returned: float32 values, or int8 with one scale per vector (see quantizeInt8). */
export const COLBERT_FORMATS = ["float", "int8"] as const;
export type ColbertFormat = (typeof COLBERT_FORMATS)[number];

/** Token id (as a decimal string key) → weight: Milvus' sparse dict shape. */
export function sparseById(weights: LexicalWeights): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, w] of weights) out[String(id)] = w;
  return out;
}

/**
 * Token string → weight, like BGEM3FlagModel.convert_id_to_token (each id decoded on its own, weights ≤ 0 dropped).
 * Two ids can decode to the same string ("▁liver" and "liver"); FlagEmbedding then keeps whichever comes last in
 * the text, which depends on word order — we keep the larger weight, so the result does not.
 */
export function sparseByToken(weights: LexicalWeights, tokenString: (id: number) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, w] of weights) {
    if (!(w > 0)) continue;
    const tok = tokenString(id);
    out[tok] = Math.max(out[tok] ?? 0, w);
  }
  return out;
}

/** `{indices, values}` with indices ascending (Qdrant's SparseVector; also what pgvector's sparsevec sorts by). */
export function sparseIndicesValues(weights: LexicalWeights): { indices: number[]; values: number[] } {
  const ids = [...weights.keys()].sort((a, b) => a - b);
  return { indices: ids, values: ids.map((id) => weights.get(id)!) };
}

/**
 * Keeps the first `keep` components of each `dim`-wide row and re-normalises the row to unit length (so MaxSim
 * stays a sum of cosines). BGE-M3's ColBERT head is not trained Matryoshka-style: the recall this costs is measured
 * per checkpoint (the index page's storage table), not assumed.
 */
export function cutColbert(rows: Float32Array, dim: number, keep: number): Float32Array {
  if (keep === dim) return rows;
  const n = rows.length / dim;
  const out = new Float32Array(n * keep);
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let j = 0; j < keep; j++) norm += rows[r * dim + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < keep; j++) out[r * keep + j] = rows[r * dim + j]! / norm;
  }
  return out;
}

/**
 * int8 scheme (symmetric, per vector): q = round(127 · x / max|x|), scale = max|x| / 127, so x ≈ q · scale.
 * One scale per vector rather than one fixed 127 keeps precision for unit vectors whose components are small.
 * The direction is kept, so cosine similarity between int8 vectors needs no scale; a dot product does
 * (q₁·q₂ · s₁ · s₂). An all-zero vector gets scale 0.
 */
export function quantizeInt8(rows: Float32Array, dim: number): { values: Int8Array; scales: Float32Array } {
  const n = rows.length / dim;
  const values = new Int8Array(rows.length);
  const scales = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let max = 0;
    for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(rows[r * dim + j]!));
    scales[r] = max / 127;
    if (max === 0) continue;
    for (let j = 0; j < dim; j++) values[r * dim + j] = Math.round((127 * rows[r * dim + j]!) / max);
  }
  return { values, scales };
}

/** Rows of a flat row-major array as plain number arrays (JSON). */
export function toRows(flat: ArrayLike<number>, dim: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r * dim < flat.length; r++) rows.push(Array.from({ length: dim }, (_, j) => flat[r * dim + j]!));
  return rows;
}
