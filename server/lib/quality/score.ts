/**
 * The 0–100 quality score and the warnings that produced it. Starts at 100; each rule that fires subtracts its
 * penalty (floor 0). A version "passes" at ≥ 80 (the article's bar). Rules marked (article) are the article's
 * `check_data_quality`; the others are ours.
 *
 * | code                    | fires when                                              | penalty |
 * |-------------------------|---------------------------------------------------------|---------|
 * | duplicates              | exact (query, positive) duplicate rate > 5% (article)   | 20      |
 * | pos-neg-similar         | mean pos/neg TF-IDF cosine > 0.3 (article)              | 30      |
 * | too-few-samples         | rows < 1000 (article)                                   | 20      |
 * | near-duplicate-queries  | near-duplicate query rate > 10%                         | 10      |
 * | negatives-look-positive | share of negatives with cosine ≥ 0.8 to a positive > 1% | 10      |
 * | leakage-exact           | any eval query or passage also in train (exact)         | 20      |
 * | leakage-near            | near-duplicate eval queries in train > 1%               | 10      |
 * | queries-truncated       | queries over the query max length > 5%                  | 5       |
 * | passages-truncated      | passages over the passage max length > 10%              | 10      |
 * | no-negatives            | rows without any negative > 50% (in-batch only)         | 10      |
 *
 * no-negatives costs points (#20): a set where most rows have no negative trains on in-batch negatives only, which is
 * weaker than the hard negatives the article mines, so it must not score 100/100 beside that warning.
 */
export interface QualityWarning {
  code: string;
  message: string;
  value: number;
  threshold: number;
  penalty: number;
}

export interface QualityInputs {
  rows: number;
  duplicateRate: number;
  posNegMeanCosine: number | null;
  negativesLookPositiveShare: number | null;
  nearDuplicateQueryRate: number;
  leakageExact?: number;
  leakageNearQueryRate?: number;
  queryTruncatedShare?: number;
  passageTruncatedShare?: number;
  noNegativeShare: number;
}

export const QUALITY_PASS_SCORE = 80;

export const QUALITY_RULES = {
  duplicates: { threshold: 0.05, penalty: 20 },
  posNegSimilar: { threshold: 0.3, penalty: 30 },
  tooFewSamples: { threshold: 1000, penalty: 20 },
  nearDuplicateQueries: { threshold: 0.1, penalty: 10 },
  negativesLookPositive: { threshold: 0.01, penalty: 10 },
  leakageExact: { threshold: 0, penalty: 20 },
  leakageNear: { threshold: 0.01, penalty: 10 },
  queriesTruncated: { threshold: 0.05, penalty: 5 },
  passagesTruncated: { threshold: 0.1, penalty: 10 },
  noNegatives: { threshold: 0.5, penalty: 10 },
} as const;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function qualityScore(q: QualityInputs): { score: number; pass: boolean; warnings: QualityWarning[] } {
  const R = QUALITY_RULES;
  const w: QualityWarning[] = [];
  const add = (code: string, value: number, rule: { threshold: number; penalty: number }, message: string) =>
    w.push({ code, message, value, threshold: rule.threshold, penalty: rule.penalty });
  if (q.duplicateRate > R.duplicates.threshold)
    add("duplicates", q.duplicateRate, R.duplicates, `duplicate rate ${pct(q.duplicateRate)} is above 5%: dedupe before training`);
  if (q.posNegMeanCosine !== null && q.posNegMeanCosine > R.posNegSimilar.threshold)
    add("pos-neg-similar", q.posNegMeanCosine, R.posNegSimilar, `positives and negatives are too similar (mean TF-IDF cosine ${q.posNegMeanCosine.toFixed(2)} > 0.3)`);
  if (q.rows < R.tooFewSamples.threshold) add("too-few-samples", q.rows, R.tooFewSamples, `only ${q.rows} rows; at least 1000 are recommended`);
  if (q.nearDuplicateQueryRate > R.nearDuplicateQueries.threshold)
    add("near-duplicate-queries", q.nearDuplicateQueryRate, R.nearDuplicateQueries, `${pct(q.nearDuplicateQueryRate)} of queries are near-duplicates of another`);
  if (q.negativesLookPositiveShare !== null && q.negativesLookPositiveShare > R.negativesLookPositive.threshold)
    add("negatives-look-positive", q.negativesLookPositiveShare, R.negativesLookPositive, `${pct(q.negativesLookPositiveShare)} of negatives look like positives (cosine ≥ 0.8): likely false negatives`);
  if (q.leakageExact !== undefined && q.leakageExact > R.leakageExact.threshold)
    add("leakage-exact", q.leakageExact, R.leakageExact, `${q.leakageExact} evaluation queries or passages also appear in the training data`);
  if (q.leakageNearQueryRate !== undefined && q.leakageNearQueryRate > R.leakageNear.threshold)
    add("leakage-near", q.leakageNearQueryRate, R.leakageNear, `${pct(q.leakageNearQueryRate)} of evaluation queries have a near-duplicate in the training data`);
  if (q.queryTruncatedShare !== undefined && q.queryTruncatedShare > R.queriesTruncated.threshold)
    add("queries-truncated", q.queryTruncatedShare, R.queriesTruncated, `${pct(q.queryTruncatedShare)} of queries exceed the query max length`);
  if (q.passageTruncatedShare !== undefined && q.passageTruncatedShare > R.passagesTruncated.threshold)
    add("passages-truncated", q.passageTruncatedShare, R.passagesTruncated, `${pct(q.passageTruncatedShare)} of passages exceed the passage max length`);
  if (q.noNegativeShare > R.noNegatives.threshold)
    add("no-negatives", q.noNegativeShare, R.noNegatives, `${pct(q.noNegativeShare)} of rows have no negative (training relies on in-batch negatives; mine hard negatives)`);
  const score = Math.max(0, 100 - w.reduce((s, x) => s + x.penalty, 0));
  return { score, pass: score >= QUALITY_PASS_SCORE, warnings: w };
}
