/**
 * Shared types of the metric engine.
 *
 * Metric contract (DESIGN.md, stated in the UI and docs, tested in metrics.test.ts):
 * - k ∈ {1, 3, 5, 10, 20, 100}; relevance is graded; a document is *relevant* when its grade ≥ 1.
 * - nDCG@k: linear gain (gain = grade, grades ≤ 0 give 0) discounted by log2(rank + 1), divided by the
 *   ideal DCG of the query's judged grades (trec_eval ndcg_cut).
 * - MAP@k: sum of precision at each relevant rank ≤ k, divided by R = number of relevant documents of the
 *   query (trec_eval map_cut; not sentence-transformers' min(k, R)).
 * - MRR@k: 1 / rank of the first relevant document within k, else 0.
 * - Recall@k: relevant retrieved in the top k / R.  Precision@k: relevant in the top k / k (always k).
 * - hit@k: 1 when at least one relevant document is in the top k.
 * - The mean is over every query of the qrels; a query with no relevant document or absent from the run
 *   scores 0 on every metric (trec_eval -c). Run queries that are not in the qrels are ignored.
 * - Ties (equal scores) are ordered by document id, descending in byte order — exactly trec_eval's rule,
 *   so `m3 metrics` and trec_eval agree. The rank column of a TREC run is ignored, as in trec_eval.
 * - A document whose id equals the query id is not dropped.
 */

/** qid → (docid → graded relevance). Grades may be 0 (judged non-relevant) or negative. */
export type Qrels = Map<string, Map<string, number>>;

export interface ScoredDoc {
  docId: string;
  score: number;
}

/** qid → retrieved documents with scores (any order; ranking applies the tie rule). */
export type Run = Map<string, ScoredDoc[]>;

export const METRIC_KS = [1, 3, 5, 10, 20, 100] as const;

export const METRIC_NAMES = ["P", "recall", "mrr", "ndcg", "map", "hit"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Keys such as "ndcg@10"; values are in [0, 1]. */
export type MetricValues = Record<string, number>;

export function metricKey(name: MetricName, k: number): string {
  return `${name}@${k}`;
}

/** Every metric key for the given cutoffs, in a stable order (by metric, then k). */
export function metricKeys(ks: readonly number[] = METRIC_KS): string[] {
  return METRIC_NAMES.flatMap((name) => ks.map((k) => metricKey(name, k)));
}
