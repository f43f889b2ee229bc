import { mulberry32, sampleWithoutReplacement } from "../metrics/rng";

/**
 * Hard-negative selection with FlagEmbedding's hn_mine semantics, plus a false-negative guard.
 *
 * For each query: take the retrieved candidates at 0-based ranks [rangeStart, rangeEnd) (default 10–210),
 * drop every candidate whose text is one of the query's positives or equals the query text, drop
 * candidates scoring above `falseNegativeRatio` × the lowest positive score (default 0.95; likely unlabelled
 * positives), sample `negatives` of them (default 15) at random; when fewer remain, pad with random pool
 * texts that are neither positives, the query, nor already chosen. Deterministic for a seed.
 */
export interface MineOptions {
  rangeStart?: number;
  rangeEnd?: number;
  negatives?: number;
  /** null disables the guard. */
  falseNegativeRatio?: number | null;
  seed?: number;
}

export interface MineQuery {
  query: string;
  pos: string[];
  /** Candidates in rank order: indices into the pool with their scores (the top rangeEnd suffices). */
  ranked: ReadonlyArray<{ index: number; score: number }>;
  /** Scores of the query against each positive (same scorer as `ranked`); needed by the guard. */
  posScores?: readonly number[];
}

export interface MinedNegatives {
  neg: string[];
  /** Pool indices of the negatives (−1 never occurs). */
  negIndices: number[];
  /** How the negatives were obtained. */
  fromRange: number;
  padded: number;
  skippedAsFalseNegative: number;
}

export function mineNegatives(pool: readonly string[], queries: readonly MineQuery[], opts: MineOptions = {}): MinedNegatives[] {
  const start = opts.rangeStart ?? 10;
  const end = opts.rangeEnd ?? 210;
  const n = opts.negatives ?? 15;
  const ratio = opts.falseNegativeRatio === undefined ? 0.95 : opts.falseNegativeRatio;
  if (start < 0 || end <= start) throw new Error(`invalid sampling range [${start}, ${end})`);
  if (pool.length === 0) throw new Error("the candidate pool is empty");
  const rand = mulberry32(opts.seed ?? 42);
  return queries.map((q) => {
    const excluded = new Set([...q.pos, q.query]);
    const minPos = q.posScores && q.posScores.length > 0 ? Math.min(...q.posScores) : null;
    const threshold = ratio !== null && minPos !== null && minPos > 0 ? ratio * minPos : Infinity;
    let skipped = 0;
    const filtered: number[] = [];
    const seen = new Set<string>();
    for (const hit of q.ranked.slice(start, end)) {
      const text = pool[hit.index];
      if (text === undefined || excluded.has(text) || seen.has(text)) continue;
      if (hit.score > threshold) {
        skipped++;
        continue;
      }
      seen.add(text);
      filtered.push(hit.index);
    }
    const chosen = filtered.length > n ? sampleWithoutReplacement(filtered, n, rand) : filtered;
    const fromRange = chosen.length;
    if (chosen.length < n) {
      const taken = new Set(chosen.map((i) => pool[i]!));
      // Random pool indices, rejecting excluded/duplicate texts; bounded tries then a deterministic scan.
      let tries = 0;
      while (chosen.length < n && tries < 20 * n) {
        tries++;
        const i = Math.floor(rand() * pool.length);
        const t = pool[i]!;
        if (excluded.has(t) || taken.has(t)) continue;
        taken.add(t);
        chosen.push(i);
      }
      for (let i = 0; i < pool.length && chosen.length < n; i++) {
        const t = pool[i]!;
        if (excluded.has(t) || taken.has(t)) continue;
        taken.add(t);
        chosen.push(i);
      }
    }
    return {
      neg: chosen.map((i) => pool[i]!),
      negIndices: chosen,
      fromRange,
      padded: chosen.length - fromRange,
      skippedAsFalseNegative: skipped,
    };
  });
}
