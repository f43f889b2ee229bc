import { readFileSync } from "node:fs";
import { compareEvaluations, comparisonTable } from "~/server/lib/metrics/compare";
import { evaluateRun } from "~/server/lib/metrics/evaluate";
import { parseTrecQrels, parseTrecRun } from "~/server/lib/metrics/trec";
import { METRIC_KS } from "~/server/lib/metrics/types";

/**
 * `m3 metrics --qrels Q --run R [--run R2] [--per-query]`: scores TREC runs (`qid Q0 docid rank score tag`)
 * against TREC qrels (`qid 0 docid rel`) per the metric contract (trec_eval -c averaging) and prints JSON with
 * P@k, recall@k, mrr@k, ndcg@k, map@k, hit@k for k in 1, 3, 5, 10, 20, 100. With two runs it adds the
 * comparison (delta, relative %, randomization p-value, bootstrap CI) of the second against the first.
 */
function read(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function metricsCommand(values: { qrels?: string; run?: string[]; "per-query"?: boolean }): unknown {
  if (!values.qrels || !values.run?.length) throw new Error("usage: m3 metrics --qrels QRELS --run RUN [--run RUN2] [--per-query]");
  const qrels = parseTrecQrels(read(values.qrels, "qrels"), values.qrels);
  const evals = values.run.map((f) => evaluateRun(qrels, parseTrecRun(read(f, "run"), f), METRIC_KS));
  const one = (i: number) => ({
    ...evals[i]!.mean,
    ...(values["per-query"] ? { perQuery: Object.fromEntries(evals[i]!.perQuery) } : {}),
  });
  if (evals.length === 1) return one(0);
  const comparison = compareEvaluations(evals[0]!, evals[1]!);
  return {
    runs: values.run.map((f, i) => ({ run: f, metrics: one(i) })),
    comparison,
    table: comparisonTable(comparison.filter((r) => ["P@10", "mrr@10", "ndcg@10", "recall@10", "map@10", "hit@10"].includes(r.metric))),
  };
}
