import { issue, type ImportIssue } from "./issues";

export interface Located {
  file: string;
  line: number | null;
}

/**
 * Cross-checks an evaluation set as it streams in (feed corpus and queries first, then qrels):
 * - a duplicate corpus or query id → issue on the later line (field `_id`), naming the first line;
 * - a qrel naming an unknown query id (field `query-id`) or corpus id (field `corpus-id`);
 * - the same (query, doc) pair twice in the qrels (field `corpus-id`).
 * Queries without any relevant (score ≥ 1) qrel are not issues; `queriesWithoutRelevant()` lists them for a warning
 * (they score 0 under the metric contract). Memory: one map entry per id.
 */
export class EvalCrossChecker {
  private readonly corpus = new Map<string, Located>();
  private readonly queries = new Map<string, Located>();
  private readonly pairs = new Map<string, Located>();
  private readonly relevantQueries = new Set<string>();
  readonly issues: ImportIssue[] = [];

  addCorpusId(docId: string, at: Located): void {
    this.addId(this.corpus, docId, at, "corpus");
  }

  addQueryId(queryId: string, at: Located): void {
    this.addId(this.queries, queryId, at, "query");
  }

  addQrel(q: { queryId: string; corpusId: string; score: number }, at: Located): void {
    let ok = true;
    if (!this.queries.has(q.queryId)) {
      ok = false;
      this.issues.push(issue(at, "query-id", `unknown query id ${JSON.stringify(q.queryId)} (not in the queries file)`));
    }
    if (!this.corpus.has(q.corpusId)) {
      ok = false;
      this.issues.push(issue(at, "corpus-id", `unknown corpus id ${JSON.stringify(q.corpusId)} (not in the corpus file)`));
    }
    if (!ok) return;
    const key = `${q.queryId}\u0000${q.corpusId}`;
    const first = this.pairs.get(key);
    if (first) this.issues.push(issue(at, "corpus-id", `duplicate qrel for query ${JSON.stringify(q.queryId)} and document ${JSON.stringify(q.corpusId)} (first at ${where(first)})`));
    else this.pairs.set(key, at);
    if (q.score >= 1) this.relevantQueries.add(q.queryId);
  }

  queriesWithoutRelevant(): string[] {
    return [...this.queries.keys()].filter((q) => !this.relevantQueries.has(q));
  }

  private addId(map: Map<string, Located>, key: string, at: Located, kind: string): void {
    const first = map.get(key);
    if (first) this.issues.push(issue(at, "_id", `duplicate ${kind} id ${JSON.stringify(key)} (first at ${where(first)})`));
    else map.set(key, at);
  }
}

function where(l: Located): string {
  return l.line === null ? l.file : `${l.file}:${l.line}`;
}

/** Array convenience over `EvalCrossChecker`. */
export function crossCheckEvalSet(input: {
  corpus: Iterable<{ id: string; at: Located }>;
  queries: Iterable<{ id: string; at: Located }>;
  qrels: Iterable<{ queryId: string; corpusId: string; score: number; at: Located }>;
}): { issues: ImportIssue[]; queriesWithoutRelevant: string[] } {
  const c = new EvalCrossChecker();
  for (const d of input.corpus) c.addCorpusId(d.id, d.at);
  for (const q of input.queries) c.addQueryId(q.id, q.at);
  for (const r of input.qrels) c.addQrel(r, r.at);
  return { issues: c.issues, queriesWithoutRelevant: c.queriesWithoutRelevant() };
}
