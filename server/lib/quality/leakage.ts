import { findCrossNearDuplicates, type NearDuplicateOptions } from "./minhash";
import { exactKey } from "./text";

/** The texts of one split: its queries and its passages (positives, and the corpus for an evaluation set). */
export interface SplitTexts {
  queries: readonly string[];
  passages: readonly string[];
}

export function splitTextsOf(rows: ReadonlyArray<{ query: string; pos: readonly string[]; neg?: readonly string[] }>): SplitTexts {
  return { queries: rows.map((r) => r.query), passages: rows.flatMap((r) => r.pos) };
}

export interface LeakageSide {
  /** eval items whose normalised text is also in train */
  exact: number;
  /** eval items with a near-duplicate (Jaccard ≥ threshold, exact ones included) in train */
  near: number;
  total: number;
  exactRate: number;
  nearRate: number;
  examples: Array<{ eval: number; train: number; jaccard: number }>;
}

export interface Leakage {
  queries: LeakageSide;
  passages: LeakageSide;
}

/**
 * Train/eval leakage: how many evaluation queries and passages also occur in the training split, exactly (after
 * `exactKey`: case, punctuation, whitespace ignored) or as near-duplicates (MinHash/LSH, exact Jaccard ≥ 0.8 by default). Any leaked evaluation query
 * inflates the fine-tuned model's metrics; the score penalises any exact leak and a near-duplicate rate above 1%.
 */
export function trainEvalLeakage(train: SplitTexts, evaluation: SplitTexts, opts: NearDuplicateOptions & { maxExamples?: number } = {}): Leakage {
  const side = (a: readonly string[], b: readonly string[]): LeakageSide => {
    const trainSet = new Set(a.map(exactKey));
    const exact = b.filter((t) => trainSet.has(exactKey(t))).length;
    const near = findCrossNearDuplicates(a, b, opts);
    const nearCount = new Set([...near.map((m) => m.probe), ...b.flatMap((t, i) => (trainSet.has(exactKey(t)) ? [i] : []))]).size;
    return {
      exact,
      near: nearCount,
      total: b.length,
      exactRate: b.length ? exact / b.length : 0,
      nearRate: b.length ? nearCount / b.length : 0,
      examples: near.slice(0, opts.maxExamples ?? 20).map((m) => ({ eval: m.probe, train: m.reference, jaccard: m.jaccard })),
    };
  };
  return { queries: side(train.queries, evaluation.queries), passages: side(train.passages, evaluation.passages) };
}
