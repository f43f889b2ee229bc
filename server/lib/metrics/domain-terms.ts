import type { RunEvaluation } from "./evaluate";

/**
 * Domain-term recall (the article's "专业术语召回率"): recall@k averaged over the queries whose text contains
 * at least one glossary term (case-insensitive substring match, so it works for Chinese without word
 * segmentation). Queries are those of the evaluation (every query of the qrels). With no matching query the
 * value is null, never NaN.
 */
export interface DomainTermRecall {
  k: number;
  recall: number | null;
  matchedQueries: number;
  /** term → number of evaluated queries containing it (terms with 0 included). */
  termCounts: Record<string, number>;
}

export function domainTermRecall(
  evaluation: RunEvaluation,
  queries: ReadonlyMap<string, string>,
  glossary: readonly string[],
  k = 10,
): DomainTermRecall {
  const terms = [...new Set(glossary.map((t) => t.trim()).filter((t) => t !== ""))];
  const lowered = terms.map((t) => t.toLowerCase());
  const termCounts: Record<string, number> = Object.fromEntries(terms.map((t) => [t, 0]));
  let sum = 0;
  let n = 0;
  for (const [qid, m] of evaluation.perQuery) {
    const text = (queries.get(qid) ?? "").toLowerCase();
    let any = false;
    lowered.forEach((t, i) => {
      if (text.includes(t)) {
        any = true;
        termCounts[terms[i]!]!++;
      }
    });
    if (!any) continue;
    n++;
    sum += m[`recall@${k}`] ?? 0;
  }
  return { k, recall: n === 0 ? null : sum / n, matchedQueries: n, termCounts };
}
