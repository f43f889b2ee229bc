import { mulberry32 } from "./rng";

/**
 * Paired significance of the difference between two systems on the same queries.
 *
 * randomizationTest: Fisher's paired randomization (sign-flip) test, two-sided, on the mean of the per-query
 *   differences b − a. p = (1 + #{|mean of flipped| ≥ |observed|}) / (1 + permutations), so p is never 0.
 * bootstrapCi: percentile bootstrap confidence interval of the mean difference, resampling queries.
 * Both are deterministic for a seed. With no queries they throw (never NaN).
 */
export interface PairedTestOptions {
  permutations?: number;
  seed?: number;
}

function diffs(a: readonly number[], b: readonly number[]): Float64Array {
  if (a.length !== b.length) throw new Error(`paired test needs equal lengths, got ${a.length} and ${b.length}`);
  if (a.length === 0) throw new Error("paired test needs at least one query");
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = b[i]! - a[i]!;
  return d;
}

export function randomizationTest(a: readonly number[], b: readonly number[], opts: PairedTestOptions = {}): number {
  const d = diffs(a, b);
  const n = d.length;
  const perms = opts.permutations ?? 10_000;
  const rand = mulberry32(opts.seed ?? 42);
  let obs = 0;
  for (let i = 0; i < n; i++) obs += d[i]!;
  const absObs = Math.abs(obs) - 1e-12 * Math.max(1, Math.abs(obs)); // tolerate float noise in equal sums
  let extreme = 0;
  for (let p = 0; p < perms; p++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rand() < 0.5 ? -d[i]! : d[i]!;
    if (Math.abs(s) >= absObs) extreme++;
  }
  return (extreme + 1) / (perms + 1);
}

export interface ConfidenceInterval {
  mean: number;
  lower: number;
  upper: number;
  level: number;
}

export function bootstrapCi(
  a: readonly number[],
  b: readonly number[],
  opts: { resamples?: number; level?: number; seed?: number } = {},
): ConfidenceInterval {
  const d = diffs(a, b);
  const n = d.length;
  const B = opts.resamples ?? 10_000;
  const level = opts.level ?? 0.95;
  const rand = mulberry32(opts.seed ?? 7);
  const means = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rand() * n)]!;
    means[r] = s / n;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  const at = (q: number) => means[Math.min(B - 1, Math.max(0, Math.floor(q * B)))]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += d[i]!;
  return { mean: sum / n, lower: at(alpha), upper: at(1 - alpha), level };
}
