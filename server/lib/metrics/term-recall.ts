/**
 * Domain-term recall per model: the compare page's "Domain-term recall" section. For the evaluated queries whose
 * text contains a glossary term, the mean of stored per-query metrics (recall@10, nDCG@10) per subject, for all
 * such queries together and per term (most frequent terms first), with the delta against the first subject.
 *
 * Matching is a substring test on NFKC-normalised, lower-cased text: it needs no word segmentation, so it works
 * for Chinese (“胰岛素” in “胰岛素怎么打”), and it is case-insensitive for English (“HbA1c” matches “hba1c”).
 * The price of substring matching is that a short English term also matches inside longer words (“ALT” in
 * “alternative”); keep English glossary terms specific. This is the same rule as `domainTermRecall` (./domain-terms.ts).
 *
 * Per the metric contract, a query a subject has no value for scores 0, and the query set is the evaluation's
 * (every query with judgements), so no new evaluation is needed.
 */
export interface PerQueryColumns {
  ids: string[];
  values: Record<string, number[]>;
}

export interface TermRecallRow {
  /** null: every query containing any glossary term. */
  term: string | null;
  queries: number;
  /** values[subject][metric]; null when the subject has no stored result. */
  values: Array<Record<string, number | null>>;
  /** delta[subject][metric] against subject 0; null for subject 0 and where either side is missing. */
  delta: Array<Record<string, number | null>>;
}

export interface TermRecallTable {
  metrics: string[];
  evaluatedQueries: number;
  /** How many glossary terms occur in at least one evaluated query. */
  termsFound: number;
  rows: TermRecallRow[];
}

export const normaliseTerm = (s: string) => s.normalize("NFKC").trim().toLowerCase();

/** Indices of `normalisedTerms` that occur in `text`. */
export function matchingTerms(text: string, normalisedTerms: readonly string[]): number[] {
  const hay = normaliseTerm(text);
  const out: number[] = [];
  normalisedTerms.forEach((t, i) => {
    if (t !== "" && hay.includes(t)) out.push(i);
  });
  return out;
}

export function termRecallTable(opts: {
  /** Query id → query text (the evaluation version's queries). */
  queryText: ReadonlyMap<string, string>;
  terms: readonly string[];
  /** Per subject, its stored per-query columns for one mode; null when it has no result. */
  subjects: ReadonlyArray<PerQueryColumns | null>;
  metrics?: readonly string[];
  topTerms?: number;
}): TermRecallTable {
  const metrics = [...(opts.metrics ?? ["recall@10", "ndcg@10"])];
  const topTerms = opts.topTerms ?? 20;
  // Distinct terms by their normalised form, first spelling kept.
  const terms: string[] = [];
  const keys: string[] = [];
  for (const t of opts.terms) {
    const k = normaliseTerm(t);
    if (k !== "" && !keys.includes(k)) { terms.push(t.trim()); keys.push(k); }
  }
  // The evaluated queries: every id any subject has a value for (the same qrels query set for all).
  const evaluated = [...new Set(opts.subjects.flatMap((s) => s?.ids ?? []))];
  const lookups = opts.subjects.map((s) => (s ? new Map(s.ids.map((q, i) => [q, i])) : null));
  const valueOf = (subject: number, metric: string, qid: string): number => {
    const i = lookups[subject]?.get(qid);
    return i === undefined ? 0 : (opts.subjects[subject]!.values[metric]?.[i] ?? 0);
  };

  const byTerm: string[][] = keys.map(() => []);
  const anyTerm: string[] = [];
  for (const qid of evaluated) {
    const hits = matchingTerms(opts.queryText.get(qid) ?? "", keys);
    if (hits.length) anyTerm.push(qid);
    for (const i of hits) byTerm[i]!.push(qid);
  }

  const row = (term: string | null, qids: string[]): TermRecallRow => {
    const values = opts.subjects.map((s, si) =>
      Object.fromEntries(metrics.map((m) => [m, s === null || qids.length === 0 ? null : qids.reduce((acc, q) => acc + valueOf(si, m, q), 0) / qids.length])),
    );
    const delta = values.map((v, si) =>
      Object.fromEntries(metrics.map((m) => [m, si === 0 || v[m] === null || values[0]![m] === null ? null : v[m]! - values[0]![m]!])),
    );
    return { term, queries: qids.length, values, delta };
  };

  const ranked = keys
    .map((_, i) => i)
    .filter((i) => byTerm[i]!.length > 0)
    .sort((a, b) => byTerm[b]!.length - byTerm[a]!.length || a - b);
  return {
    metrics,
    evaluatedQueries: evaluated.length,
    termsFound: ranked.length,
    rows: [row(null, anyTerm), ...ranked.slice(0, topTerms).map((i) => row(terms[i]!, byTerm[i]!))],
  };
}
