import type { RunEvaluation } from "./evaluate";
import { bootstrapCi, randomizationTest, type ConfidenceInterval } from "./significance";

/** One row of the article's base-vs-tuned table, with paired significance. */
export interface MetricComparison {
  metric: string;
  base: number;
  tuned: number;
  delta: number;
  /** delta / base × 100; null when base is 0 (undefined relative change). */
  relativePct: number | null;
  pValue: number;
  ci: ConfidenceInterval;
}

/**
 * Compares two evaluations over the same qrels (per-query pairs by qid). Throws when their query sets differ.
 */
export function compareEvaluations(
  base: RunEvaluation,
  tuned: RunEvaluation,
  opts: { metrics?: string[]; permutations?: number; resamples?: number; seed?: number } = {},
): MetricComparison[] {
  const qids = [...base.perQuery.keys()];
  if (qids.length !== tuned.perQuery.size || qids.some((q) => !tuned.perQuery.has(q)))
    throw new Error("compareEvaluations: the two evaluations cover different queries");
  const metrics = opts.metrics ?? Object.keys(base.mean);
  return metrics.map((metric) => {
    const a = qids.map((q) => base.perQuery.get(q)![metric] ?? 0);
    const b = qids.map((q) => tuned.perQuery.get(q)![metric] ?? 0);
    const mb = base.mean[metric] ?? 0;
    const mt = tuned.mean[metric] ?? 0;
    const delta = mt - mb;
    return {
      metric,
      base: mb,
      tuned: mt,
      delta,
      relativePct: mb === 0 ? null : (delta / mb) * 100,
      pValue: randomizationTest(a, b, { permutations: opts.permutations, seed: opts.seed }),
      ci: bootstrapCi(a, b, { resamples: opts.resamples, seed: opts.seed }),
    };
  });
}

/** The article's format: "+23.6%" (one decimal, signed), or "n/a" for a zero base. */
export function formatRelative(pct: number | null): string {
  if (pct === null) return "n/a";
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(1)}%`;
}

/**
 * The article's base-vs-tuned table as Markdown: metric | base | tuned | change | p | 95 % CI of the difference.
 * Values with 4 decimals (the article uses 2), change as "+23.6%".
 */
export function comparisonTable(rows: readonly MetricComparison[], labels: [string, string] = ["base", "tuned"]): string {
  const head = `| metric | ${labels[0]} | ${labels[1]} | change | p (randomization) | ${Math.round((rows[0]?.ci.level ?? 0.95) * 100)}% CI of Δ |`;
  const lines = rows.map(
    (r) =>
      `| ${r.metric} | ${r.base.toFixed(4)} | ${r.tuned.toFixed(4)} | ${formatRelative(r.relativePct)} | ${r.pValue.toFixed(4)} | [${r.ci.lower.toFixed(4)}, ${r.ci.upper.toFixed(4)}] |`,
  );
  return [head, "|---|---|---|---|---|---|", ...lines].join("\n");
}
