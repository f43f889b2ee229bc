import { evaluateQuery } from "./per-query";
import { METRIC_KS, metricKeys, type MetricValues, type Qrels, type Run } from "./types";

export interface RunEvaluation {
  /** Mean over every query of the qrels (trec_eval -c). */
  mean: MetricValues;
  /** qid → metrics, for every query of the qrels, in qrels order. */
  perQuery: Map<string, MetricValues>;
  numQueries: number;
  /** Queries of the qrels without any document of grade ≥ 1 (they score 0). */
  queriesWithoutRelevant: string[];
  /** Queries of the qrels absent from the run (they score 0). */
  queriesMissingFromRun: string[];
}

export class MetricInputError extends Error {
  override name = "MetricInputError";
}

/**
 * Scores a run against qrels per the metric contract (types.ts). Throws MetricInputError on empty qrels
 * rather than returning NaN.
 */
export function evaluateRun(qrels: Qrels, run: Run, ks: readonly number[] = METRIC_KS): RunEvaluation {
  if (qrels.size === 0) throw new MetricInputError("qrels are empty: no query to evaluate");
  const keys = metricKeys(ks);
  const sums: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  const perQuery = new Map<string, MetricValues>();
  const queriesWithoutRelevant: string[] = [];
  const queriesMissingFromRun: string[] = [];
  for (const [qid, grades] of qrels) {
    const docs = run.get(qid);
    if (!docs || docs.length === 0) queriesMissingFromRun.push(qid);
    if (![...grades.values()].some((g) => g >= 1)) queriesWithoutRelevant.push(qid);
    const m = evaluateQuery(grades, docs, ks);
    perQuery.set(qid, m);
    for (const k of keys) sums[k] = sums[k]! + m[k]!;
  }
  const mean: MetricValues = {};
  for (const k of keys) mean[k] = sums[k]! / qrels.size;
  return { mean, perQuery, numQueries: qrels.size, queriesWithoutRelevant, queriesMissingFromRun };
}
