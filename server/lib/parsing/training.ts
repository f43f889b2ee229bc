import { describe, optionalScores, optionalString, requiredText, RowIssues, text, textArray } from "./fields";
import { issue, type ImportIssue, type RowContext, type RowResult } from "./issues";

/** One training example as FlagEmbedding expects it (camelCase inside the platform). */
export interface TrainingTriple {
  query: string;
  pos: string[];
  neg: string[];
  posScores?: number[];
  negScores?: number[];
  prompt?: string;
  /** Split key (e.g. answer id or focus) when the mapping names one. */
  group?: string;
}

/**
 * FlagEmbedding JSONL row `{query, pos[], neg[], pos_scores?, neg_scores?, prompt?}`.
 * Rules: `query` a non-empty string; `pos` a non-empty array of non-empty strings; `neg` an array of non-empty
 * strings, empty allowed (in-batch negatives), absent treated as []; `pos_scores`/`neg_scores`, when present, finite
 * numbers, one per passage; `prompt` a string. Other keys are ignored.
 */
export function validateFlagEmbeddingRow(rec: Record<string, unknown>, ctx: RowContext): RowResult<TrainingTriple> {
  const out = new RowIssues(ctx);
  const query = requiredText(rec, "query", out);
  const pos = textArray(rec, "pos", out, { minLength: 1 });
  const neg = rec.neg === undefined ? [] : textArray(rec, "neg", out, { minLength: 0 });
  const posScores = optionalScores(rec, "pos_scores", pos?.length, out);
  const negScores = optionalScores(rec, "neg_scores", neg?.length, out);
  const prompt = optionalString(rec, "prompt", out);
  if (!out.ok) return { ok: false, issues: out.issues };
  const value: TrainingTriple = { query: query!, pos: pos!, neg: neg! };
  if (posScores) value.posScores = posScores;
  if (negScores) value.negScores = negScores;
  if (prompt !== undefined) value.prompt = prompt;
  return { ok: true, value };
}

/**
 * Column mapping for CSV/TSV/JSONL training files (the article's query/positive/negative): column names in the file.
 * `negative` may name several columns (one negative each); `group` names the split key column.
 */
export interface ColumnMapping {
  query: string;
  positive: string;
  negative?: string | string[];
  prompt?: string;
  group?: string;
}

function mappedColumns(m: ColumnMapping): Array<[role: string, column: string]> {
  const negs = m.negative === undefined ? [] : Array.isArray(m.negative) ? m.negative : [m.negative];
  const cols: Array<[string, string]> = [
    ["query", m.query],
    ["positive", m.positive],
    ...negs.map((c): [string, string] => ["negative", c]),
  ];
  if (m.prompt !== undefined) cols.push(["prompt", m.prompt]);
  if (m.group !== undefined) cols.push(["group", m.group]);
  return cols;
}

/** Issues (line null) for mapped columns missing from the header; for the mapping step, before any row is read. */
export function validateColumnMapping(mapping: ColumnMapping, header: readonly string[], file: string): ImportIssue[] {
  return mappedColumns(mapping)
    .filter(([, c]) => !header.includes(c))
    .map(([role, c]) => issue({ file, line: null }, c, `column mapped as ${role} is not in the file (columns: ${header.join(", ")})`));
}

/**
 * One mapped row. Query and positive must be non-empty strings. A negative column may hold a string or (JSONL) an
 * array of strings; an empty negative cell simply means "no negative" (CSV rows often have none). A numeric group
 * value is turned into a string. Issues name the file's column, not the role.
 */
export function validateMappedRow(rec: Record<string, unknown>, mapping: ColumnMapping, ctx: RowContext): RowResult<TrainingTriple> {
  const out = new RowIssues(ctx);
  const query = requiredText(rec, mapping.query, out);
  let pos: string[] | undefined;
  const pv = rec[mapping.positive];
  if (Array.isArray(pv)) pos = textArray(rec, mapping.positive, out, { minLength: 1 });
  else {
    const p = requiredText(rec, mapping.positive, out);
    pos = p === undefined ? undefined : [p];
  }
  const neg: string[] = [];
  const negCols = mapping.negative === undefined ? [] : Array.isArray(mapping.negative) ? mapping.negative : [mapping.negative];
  for (const col of negCols) {
    const v = rec[col];
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const t = text(x, `${col}[${i}]`, out);
        if (t !== undefined) neg.push(t);
      });
    } else if (typeof v === "string") {
      if (v.trim() !== "") neg.push(v);
    } else out.add(col, `expected a string, got ${describe(v)}`);
  }
  const prompt = mapping.prompt === undefined ? undefined : optionalString(rec, mapping.prompt, out);
  let group: string | undefined;
  if (mapping.group !== undefined) {
    const g = rec[mapping.group];
    if (typeof g === "number" && Number.isFinite(g)) group = String(g);
    else group = requiredText(rec, mapping.group, out);
  }
  if (!out.ok) return { ok: false, issues: out.issues };
  const value: TrainingTriple = { query: query!, pos: pos!, neg };
  if (prompt !== undefined) value.prompt = prompt;
  if (group !== undefined) value.group = group;
  return { ok: true, value };
}
