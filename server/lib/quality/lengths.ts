/** Length distribution of a list of texts, in characters and (with a tokenizer) in tokens. */
export type CountTokens = (text: string) => number;

export interface Histogram {
  /** bins + 1 ascending edges; bin i holds edges[i] ≤ v < edges[i+1] (the last bin includes its upper edge) */
  edges: number[];
  counts: number[];
}

export interface Distribution {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  histogram: Histogram;
}

export interface LengthStats {
  chars: Distribution;
  tokens?: Distribution;
  /** share of texts longer than each max length (in tokens when a tokenizer is given, else characters) */
  truncated: Array<{ maxLength: number; share: number; count: number }>;
}

/** Nearest-rank percentile (p in [0, 100]) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Equal-width bins from 0 to the maximum (lengths start at 0); integer-friendly edges. */
export function histogram(values: readonly number[], bins = 20): Histogram {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const width = Math.max(1, Math.ceil(max / bins));
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(v / width))]!++;
  return { edges, counts };
}

export function distribution(values: readonly number[], bins = 20): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    count: n,
    min: n ? sorted[0]! : 0,
    max: n ? sorted[n - 1]! : 0,
    mean: n ? sorted.reduce((s, v) => s + v, 0) / n : 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    histogram: histogram(sorted, bins),
  };
}

/** Characters are Unicode code points (a Chinese character or an emoji counts 1). */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function lengthStats(
  texts: Iterable<string>,
  opts: { countTokens?: CountTokens; maxLengths?: readonly number[]; bins?: number } = {},
): LengthStats {
  const chars: number[] = [];
  const tokens: number[] = [];
  for (const t of texts) {
    chars.push(charLength(t));
    if (opts.countTokens) tokens.push(opts.countTokens(t));
  }
  const basis = opts.countTokens ? tokens : chars;
  const out: LengthStats = {
    chars: distribution(chars, opts.bins),
    truncated: (opts.maxLengths ?? []).map((maxLength) => {
      const count = basis.filter((v) => v > maxLength).length;
      return { maxLength, count, share: basis.length ? count / basis.length : 0 };
    }),
  };
  if (opts.countTokens) out.tokens = distribution(tokens, opts.bins);
  return out;
}
