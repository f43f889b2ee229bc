import type { CorpusDoc, EvalQuery, Qrel } from "./evaluation";

export interface EvalSet {
  corpus: CorpusDoc[];
  queries: EvalQuery[];
  qrels: Qrel[];
}

/** Key for "identical passage": CRLF→LF and surrounding whitespace trimmed; otherwise exact. */
export function passageKey(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim();
}

/**
 * Builds an evaluation set from passages and queries given as text (pairs files, FlagEmbedding custom layout).
 * Identical passages (see `passageKey`) share one corpus id; identical queries are merged into one query whose
 * relevant documents are the union (so a pairs file with the same question twice does not count it twice).
 * Ids are deterministic: `d1, d2, …` and `q1, q2, …` in order of first appearance unless given. Relevance is 1.
 */
export class EvalSetBuilder {
  private readonly docByText = new Map<string, string>();
  private readonly docIds = new Set<string>();
  private readonly queryByText = new Map<string, EvalQuery>();
  private readonly qrelKeys = new Set<string>();
  readonly corpus: CorpusDoc[] = [];
  readonly queries: EvalQuery[] = [];
  readonly qrels: Qrel[] = [];
  /** Passages that were already in the corpus when added again. */
  duplicatePassages = 0;

  /** Adds a passage (or finds its identical twin) and returns its corpus id. */
  addDoc(text: string, opts: { id?: string; title?: string } = {}): string {
    const key = passageKey(text);
    const known = this.docByText.get(key);
    if (known !== undefined) {
      this.duplicatePassages++;
      return known;
    }
    let docId = opts.id ?? `d${this.corpus.length + 1}`;
    while (this.docIds.has(docId)) docId = `${docId}_`;
    this.docByText.set(key, docId);
    this.docIds.add(docId);
    this.corpus.push(opts.title ? { id: docId, title: opts.title, text } : { id: docId, text });
    return docId;
  }

  /** Adds a query with its relevant passages (added to the corpus when new); returns the query id. */
  addQuery(query: string, positives: readonly string[], score = 1): string {
    const key = query.trim();
    let q = this.queryByText.get(key);
    if (!q) {
      q = { id: `q${this.queries.length + 1}`, text: query };
      this.queryByText.set(key, q);
      this.queries.push(q);
    }
    for (const p of positives) {
      const corpusId = this.addDoc(p);
      const k = `${q.id}\u0000${corpusId}`;
      if (this.qrelKeys.has(k)) continue;
      this.qrelKeys.add(k);
      this.qrels.push({ queryId: q.id, corpusId, score });
    }
    return q.id;
  }

  build(): EvalSet {
    return { corpus: this.corpus, queries: this.queries, qrels: this.qrels };
  }
}

/**
 * Pairs → evaluation set (`m3 import --kind eval` on a pairs file): each pair's positive becomes a relevant document;
 * identical passages become one corpus id; negatives (if any) join the corpus as non-relevant documents.
 */
export function pairsToEvalSet(pairs: Iterable<{ query: string; pos: readonly string[]; neg?: readonly string[] }>): EvalSet {
  const b = new EvalSetBuilder();
  const negatives: string[] = [];
  for (const p of pairs) {
    b.addQuery(p.query, p.pos);
    if (p.neg) negatives.push(...p.neg);
  }
  for (const n of negatives) b.addDoc(n);
  return b.build();
}
