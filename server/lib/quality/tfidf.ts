import { terms } from "./text";

/**
 * TF-IDF with scikit-learn's defaults (raw term counts, smooth idf = ln((1 + N) / (1 + df)) + 1, L2-normalised
 * vectors), over `terms()` (words for English, character bigrams for Chinese). Fit on the passages of the dataset.
 */
export class TfIdf {
  private readonly df = new Map<string, number>();
  private n = 0;

  static fit(docs: Iterable<string>): TfIdf {
    const t = new TfIdf();
    for (const d of docs) t.addDocument(d);
    return t;
  }

  addDocument(doc: string): void {
    this.n++;
    for (const term of new Set(terms(doc))) this.df.set(term, (this.df.get(term) ?? 0) + 1);
  }

  idf(term: string): number {
    return Math.log((1 + this.n) / (1 + (this.df.get(term) ?? 0))) + 1;
  }

  /** Sparse L2-normalised vector (empty map for a text without terms). */
  vector(doc: string): Map<string, number> {
    const tf = new Map<string, number>();
    for (const term of terms(doc)) tf.set(term, (tf.get(term) ?? 0) + 1);
    let norm = 0;
    for (const [term, c] of tf) {
      const w = c * this.idf(term);
      tf.set(term, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [term, w] of tf) tf.set(term, w / norm);
    return tf;
  }
}

export function cosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, v] of small) {
    const w = large.get(k);
    if (w !== undefined) dot += v * w;
  }
  return dot;
}

/**
 * A negative is flagged as "looks like a positive" when its TF-IDF cosine with one of its row's positives is at least
 * 0.8: that much lexical overlap usually means a near-copy of the positive or an unlabelled positive (a false
 * negative, which teaches the model the wrong thing). The article's own warning is on the mean (> 0.3, see score.ts).
 */
export const NEGATIVE_LOOKS_POSITIVE_COSINE = 0.8;

export interface PosNegSimilarity {
  /** Number of (row, negative) pairs measured; each negative scores its max cosine over the row's positives. */
  count: number;
  mean: number;
  max: number;
  /** negatives at or above the threshold (all of them; `flagged` lists the first `maxFlagged`) */
  flaggedCount: number;
  flagged: Array<{ row: number; neg: number; cosine: number }>;
}

export function posNegSimilarity(
  rows: ReadonlyArray<{ pos: readonly string[]; neg: readonly string[] }>,
  opts: { threshold?: number; maxFlagged?: number } = {},
): PosNegSimilarity {
  const threshold = opts.threshold ?? NEGATIVE_LOOKS_POSITIVE_COSINE;
  const model = new TfIdf();
  for (const r of rows) {
    r.pos.forEach((p) => model.addDocument(p));
    r.neg.forEach((n) => model.addDocument(n));
  }
  let count = 0;
  let sum = 0;
  let max = 0;
  let flaggedCount = 0;
  const flagged: PosNegSimilarity["flagged"] = [];
  rows.forEach((r, row) => {
    if (!r.neg.length || !r.pos.length) return;
    const pv = r.pos.map((p) => model.vector(p));
    r.neg.forEach((n, neg) => {
      const nv = model.vector(n);
      const s = Math.min(1, Math.max(...pv.map((v) => cosine(v, nv))));
      count++;
      sum += s;
      if (s > max) max = s;
      if (s >= threshold) {
        flaggedCount++;
        if (flagged.length < (opts.maxFlagged ?? 1000)) flagged.push({ row, neg, cosine: s });
      }
    });
  });
  return { count, mean: count ? sum / count : 0, max, flaggedCount, flagged };
}
