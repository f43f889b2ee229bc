import { describe, id, requiredText, RowIssues } from "./fields";
import type { RowContext, RowResult } from "./issues";
import type { TrainingTriple } from "./training";

/** Unclicked documents ranked strictly below this rank (rank > 3) become negatives (the article's rule). */
export const RAG_NEGATIVE_MIN_RANK_EXCLUSIVE = 3;

/**
 * RAG log line `{query, retrieved_docs:[{doc_id, content, rank}], user_feedback:{helpful_docs:[doc_id...]}}` →
 * a training triple: docs the user marked helpful are positives; docs not marked with rank > 3 are negatives;
 * unmarked docs at ranks 1–3 are ignored (plausibly relevant, just not clicked). A negative whose text equals a
 * positive's is dropped. Value is null (a skip, not an issue) when the line yields no positive: no feedback, or an
 * empty helpful list. Issues: missing/empty query, retrieved_docs not an array, a doc without a string/integer
 * doc_id, non-empty content or positive integer rank, a duplicate doc_id, user_feedback or helpful_docs of the wrong
 * type, and a helpful id that is not among the retrieved docs.
 */
export function ragLogToTriple(
  rec: Record<string, unknown>,
  ctx: RowContext,
  opts: { negativeMinRankExclusive?: number } = {},
): RowResult<TrainingTriple | null> {
  const minRank = opts.negativeMinRankExclusive ?? RAG_NEGATIVE_MIN_RANK_EXCLUSIVE;
  const out = new RowIssues(ctx);
  const query = requiredText(rec, "query", out);
  const docs: Array<{ id: string; content: string; rank: number }> = [];
  const rd = rec.retrieved_docs;
  if (rd === undefined) out.add("retrieved_docs", "missing");
  else if (!Array.isArray(rd)) out.add("retrieved_docs", `expected an array, got ${describe(rd)}`);
  else {
    const seen = new Set<string>();
    rd.forEach((d, i) => {
      const f = `retrieved_docs[${i}]`;
      if (d === null || typeof d !== "object" || Array.isArray(d)) return void out.add(f, `expected an object, got ${describe(d)}`);
      const doc = d as Record<string, unknown>;
      const docId = id(doc.doc_id, `${f}.doc_id`, out);
      const content = requiredText(doc, "content", out, `${f}.content`);
      const rank = doc.rank;
      const okRank = typeof rank === "number" && Number.isInteger(rank) && rank >= 1;
      if (!okRank) out.add(`${f}.rank`, rank === undefined ? "missing" : `expected an integer ≥ 1, got ${JSON.stringify(rank)}`);
      if (docId !== undefined && seen.has(docId)) out.add(`${f}.doc_id`, `duplicate doc_id ${JSON.stringify(docId)}`);
      if (docId !== undefined) seen.add(docId);
      if (docId !== undefined && content !== undefined && okRank) docs.push({ id: docId, content, rank: rank as number });
    });
  }
  const helpful = new Set<string>();
  const fb = rec.user_feedback;
  if (fb !== undefined && fb !== null) {
    if (typeof fb !== "object" || Array.isArray(fb)) out.add("user_feedback", `expected an object, got ${describe(fb)}`);
    else {
      const h = (fb as Record<string, unknown>).helpful_docs;
      if (h !== undefined && h !== null) {
        if (!Array.isArray(h)) out.add("user_feedback.helpful_docs", `expected an array of doc ids, got ${describe(h)}`);
        else
          h.forEach((x, i) => {
            const hid = id(x, `user_feedback.helpful_docs[${i}]`, out);
            if (hid === undefined) return;
            if (Array.isArray(rd) && out.ok && !docs.some((d) => d.id === hid))
              out.add(`user_feedback.helpful_docs[${i}]`, `doc_id ${JSON.stringify(hid)} is not among retrieved_docs`);
            helpful.add(hid);
          });
      }
    }
  }
  if (!out.ok) return { ok: false, issues: out.issues };
  const pos = docs.filter((d) => helpful.has(d.id)).sort((a, b) => a.rank - b.rank).map((d) => d.content);
  if (pos.length === 0) return { ok: true, value: null };
  const posSet = new Set(pos.map((p) => p.trim()));
  const neg = docs
    .filter((d) => !helpful.has(d.id) && d.rank > minRank && !posSet.has(d.content.trim()))
    .sort((a, b) => a.rank - b.rank)
    .map((d) => d.content);
  return { ok: true, value: { query: query!, pos, neg } };
}
