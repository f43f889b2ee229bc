import { rankDocs } from "./ranking";
import type { Qrels, Run } from "./types";

/**
 * Error analysis with the article's categories, judged on the top `k` (default 10) of each query:
 * - complete_failure: no relevant document (grade ≥ 1) in the top k;
 * - partial_failure:  fewer than half of the query's relevant documents in the top k;
 * - ranking_issue:    otherwise, when the first relevant document ranks below `rankThreshold` (default 3).
 * Queries without relevant documents cannot fail and are counted as `unjudged`. Shares are over judged queries.
 */
export type ErrorCategory = "complete_failure" | "partial_failure" | "ranking_issue";

export interface ErrorExample {
  qid: string;
  query?: string;
  category: ErrorCategory;
  description: string;
  topDocs: Array<{ docId: string; score: number; relevant: boolean }>;
  expected: string[];
}

export interface ErrorAnalysis {
  k: number;
  judgedQueries: number;
  unjudged: number;
  ok: number;
  counts: Record<ErrorCategory, number>;
  shares: Record<ErrorCategory, number>;
  examples: Record<ErrorCategory, ErrorExample[]>;
  /** The article's improvement suggestions, for categories above 30 % of the errors. */
  suggestions: string[];
}

const SUGGESTIONS: Record<ErrorCategory, string[]> = {
  complete_failure: [
    "Add training data covering the domain's topics; check for sub-domains without any training sample.",
    "Consider data augmentation for rare categories.",
  ],
  partial_failure: [
    "Analyse which query types have low recall; check for long-tail domain terms.",
    "Add hard negatives targeted at these queries.",
  ],
  ranking_issue: [
    "Increase the weight of the ranking loss or try a different temperature.",
    "Use knowledge distillation (teacher scores) to sharpen the ranking.",
  ],
};

export function analyzeErrors(
  qrels: Qrels,
  run: Run,
  opts: { k?: number; rankThreshold?: number; maxExamples?: number; queryText?: (qid: string) => string | undefined } = {},
): ErrorAnalysis {
  const k = opts.k ?? 10;
  const threshold = opts.rankThreshold ?? 3;
  const maxEx = opts.maxExamples ?? 20;
  const counts: Record<ErrorCategory, number> = { complete_failure: 0, partial_failure: 0, ranking_issue: 0 };
  const examples: Record<ErrorCategory, ErrorExample[]> = { complete_failure: [], partial_failure: [], ranking_issue: [] };
  let judged = 0;
  let unjudged = 0;
  let ok = 0;
  for (const [qid, grades] of qrels) {
    const relevant = [...grades].filter(([, g]) => g >= 1).map(([d]) => d);
    if (relevant.length === 0) {
      unjudged++;
      continue;
    }
    judged++;
    const top = rankDocs(run.get(qid) ?? []).slice(0, k);
    const isRel = (d: string) => (grades.get(d) ?? 0) >= 1;
    const found = top.filter((d) => isRel(d.docId)).length;
    const firstRank = top.findIndex((d) => isRel(d.docId)) + 1;
    let category: ErrorCategory | null = null;
    let description = "";
    if (found === 0) {
      category = "complete_failure";
      description = top[0]
        ? `no relevant document in the top ${k}; best was ${top[0].docId} (score ${top[0].score.toFixed(3)})`
        : `no relevant document in the top ${k}; nothing retrieved`;
    } else if (found < relevant.length * 0.5) {
      category = "partial_failure";
      description = `found ${found}/${relevant.length} relevant documents in the top ${k}`;
    } else if (firstRank > threshold) {
      category = "ranking_issue";
      description = `first relevant document at rank ${firstRank}`;
    }
    if (!category) {
      ok++;
      continue;
    }
    counts[category]++;
    if (examples[category].length < maxEx)
      examples[category].push({
        qid,
        query: opts.queryText?.(qid),
        category,
        description,
        topDocs: top.slice(0, 5).map((d) => ({ docId: d.docId, score: d.score, relevant: isRel(d.docId) })),
        expected: relevant.slice(0, 3),
      });
  }
  const share = (c: number) => (judged === 0 ? 0 : c / judged);
  const totalErrors = counts.complete_failure + counts.partial_failure + counts.ranking_issue;
  const suggestions =
    totalErrors === 0
      ? []
      : (Object.keys(counts) as ErrorCategory[]).filter((c) => counts[c] / totalErrors > 0.3).flatMap((c) => SUGGESTIONS[c]);
  return {
    k,
    judgedQueries: judged,
    unjudged,
    ok,
    counts,
    shares: { complete_failure: share(counts.complete_failure), partial_failure: share(counts.partial_failure), ranking_issue: share(counts.ranking_issue) },
    examples,
    suggestions,
  };
}
