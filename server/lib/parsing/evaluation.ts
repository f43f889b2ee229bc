import { describe, id, optionalString, requiredText, RowIssues, textArray } from "./fields";
import { issue, type ImportIssue, type RowContext, type RowResult } from "./issues";

export interface CorpusDoc {
  id: string;
  title?: string;
  text: string;
}
export interface EvalQuery {
  id: string;
  text: string;
}
/** Graded relevance: integer ≥ 0; relevant means score ≥ 1 (the metric contract). */
export interface Qrel {
  queryId: string;
  corpusId: string;
  score: number;
}

/** BEIR corpus.jsonl `{_id, title?, text}`: `_id` string or integer; `text` may be empty only when `title` is not. */
export function validateBeirCorpusRow(rec: Record<string, unknown>, ctx: RowContext): RowResult<CorpusDoc> {
  const out = new RowIssues(ctx);
  const docId = id(rec._id, "_id", out);
  const title = optionalString(rec, "title", out);
  let text: string | undefined;
  if (rec.text === undefined) out.add("text", "missing");
  else if (typeof rec.text !== "string") out.add("text", `expected a string, got ${describe(rec.text)}`);
  else if (rec.text.trim() === "" && !title?.trim()) out.add("text", "empty string (and no title)");
  else text = rec.text;
  if (!out.ok) return { ok: false, issues: out.issues };
  return { ok: true, value: title ? { id: docId!, title, text: text! } : { id: docId!, text: text! } };
}

/** BEIR queries.jsonl `{_id, text}`. */
export function validateBeirQueryRow(rec: Record<string, unknown>, ctx: RowContext): RowResult<EvalQuery> {
  const out = new RowIssues(ctx);
  const qid = id(rec._id, "_id", out);
  const text = requiredText(rec, "text", out);
  if (!out.ok) return { ok: false, issues: out.issues };
  return { ok: true, value: { id: qid!, text: text! } };
}

export const QRELS_COLUMNS = ["query-id", "corpus-id", "score"] as const;

/** Issues (field = column) when a qrels header lacks `query-id`, `corpus-id` or `score`. */
export function checkQrelsHeader(columns: readonly string[], ctx: RowContext): ImportIssue[] {
  return QRELS_COLUMNS.filter((c) => !columns.includes(c)).map((c) =>
    issue(ctx, c, `qrels header must have columns ${QRELS_COLUMNS.join(", ")} (found: ${columns.join(", ")})`),
  );
}

/** One qrels row (from `readRecords(..., {format: "tsv"})`): score an integer ≥ 0 (graded relevance, e.g. 0–3). */
export function validateQrelRow(rec: Record<string, unknown>, ctx: RowContext): RowResult<Qrel> {
  const out = new RowIssues(ctx);
  const queryId = id(rec["query-id"], "query-id", out);
  const corpusId = id(rec["corpus-id"], "corpus-id", out);
  const raw = rec.score;
  const s = typeof raw === "string" ? raw.trim() : raw;
  let score: number | undefined;
  if (s === undefined || s === "") out.add("score", "missing");
  else {
    const n = typeof s === "number" ? s : /^[+-]?\d+$/.test(String(s)) ? Number(s) : NaN;
    if (!Number.isInteger(n)) out.add("score", `expected an integer relevance grade, got ${JSON.stringify(raw)}`);
    else if (n < 0) out.add("score", `relevance must be ≥ 0, got ${n}`);
    else score = n;
  }
  if (!out.ok) return { ok: false, issues: out.issues };
  return { ok: true, value: { queryId: queryId!, corpusId: corpusId!, score: score! } };
}

/** FlagEmbedding custom corpus row `{content|text, id?, title?}` (content wins when both are present). */
export function validateCustomCorpusRow(rec: Record<string, unknown>, ctx: RowContext): RowResult<{ id?: string; title?: string; text: string }> {
  const out = new RowIssues(ctx);
  const key = rec.content !== undefined ? "content" : "text";
  const text = rec.content === undefined && rec.text === undefined ? out.add("content", "missing (content or text)") : requiredText(rec, key, out);
  const docId = rec.id === undefined || rec.id === null ? undefined : id(rec.id, "id", out);
  const title = optionalString(rec, "title", out);
  if (!out.ok) return { ok: false, issues: out.issues };
  const value: { id?: string; title?: string; text: string } = { text: text! };
  if (docId !== undefined) value.id = docId;
  if (title) value.title = title;
  return { ok: true, value };
}

/** FlagEmbedding custom queries row `{query, pos[]}` (the positives are passages, matched to the corpus by text). */
export function validateCustomQueryRow(rec: Record<string, unknown>, ctx: RowContext): RowResult<{ query: string; pos: string[] }> {
  const out = new RowIssues(ctx);
  const query = requiredText(rec, "query", out);
  const pos = textArray(rec, "pos", out, { minLength: 1 });
  if (!out.ok) return { ok: false, issues: out.issues };
  return { ok: true, value: { query: query!, pos: pos! } };
}
