import { rankDocs } from "./ranking";
import { METRIC_KS, metricKey, type MetricValues, type ScoredDoc } from "./types";

/**
 * Every metric of the contract (see types.ts) for one query at each cutoff in `ks`.
 *
 * @param grades docid → graded relevance for this query (from the qrels); may be empty.
 * @param retrieved the run's documents for this query, any order (ranked here with trec_eval's tie rule);
 *                  undefined or empty when the query is absent from the run.
 * A query without relevant documents (R = 0) scores 0 everywhere, never NaN.
 */
export function evaluateQuery(
  grades: ReadonlyMap<string, number>,
  retrieved: readonly ScoredDoc[] | undefined,
  ks: readonly number[] = METRIC_KS,
): MetricValues {
  const out: MetricValues = {};
  let R = 0;
  const idealGains: number[] = [];
  for (const g of grades.values()) {
    if (g >= 1) R++;
    if (g > 0) idealGains.push(g);
  }
  idealGains.sort((a, b) => b - a);
  const ranked = retrieved && retrieved.length > 0 ? rankDocs(retrieved) : [];
  const maxK = Math.max(...ks);
  const depth = Math.min(maxK, ranked.length);

  // Running sums by rank (1-based rank i = index + 1).
  const relCum = new Float64Array(depth + 1); // relevant docs in the top i
  const apCum = new Float64Array(depth + 1); // sum of precision@i at relevant ranks ≤ i
  const dcgCum = new Float64Array(depth + 1);
  let firstRelRank = 0;
  for (let i = 0; i < depth; i++) {
    const g = grades.get(ranked[i]!.docId) ?? 0;
    const isRel = g >= 1;
    relCum[i + 1] = relCum[i]! + (isRel ? 1 : 0);
    apCum[i + 1] = apCum[i]! + (isRel ? relCum[i + 1]! / (i + 1) : 0);
    dcgCum[i + 1] = dcgCum[i]! + (g > 0 ? g / Math.log2(i + 2) : 0);
    if (isRel && firstRelRank === 0) firstRelRank = i + 1;
  }
  for (const k of ks) {
    const at = Math.min(k, depth);
    const rel = relCum[at]!;
    let idcg = 0;
    for (let i = 0; i < Math.min(k, idealGains.length); i++) idcg += idealGains[i]! / Math.log2(i + 2);
    const hasRel = R > 0;
    out[metricKey("P", k)] = hasRel ? rel / k : 0;
    out[metricKey("recall", k)] = hasRel ? rel / R : 0;
    out[metricKey("mrr", k)] = hasRel && firstRelRank > 0 && firstRelRank <= k ? 1 / firstRelRank : 0;
    out[metricKey("ndcg", k)] = hasRel && idcg > 0 ? dcgCum[at]! / idcg : 0;
    out[metricKey("map", k)] = hasRel ? apCum[at]! / R : 0;
    out[metricKey("hit", k)] = rel > 0 ? 1 : 0;
  }
  return out;
}
