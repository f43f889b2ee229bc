import { issue, type ImportIssue, type RowContext } from "./issues";

/**
 * CSV formula injection ("CSV injection", OWASP): a spreadsheet opening an exported CSV evaluates a cell that starts
 * with `=`, `+`, `-` or `@` (also after a leading tab or CR, which some tools strip). Blocking every such cell would
 * flag ordinary text ("- item", "-5 mg", "+86 138…", "@alice"), so a cell counts as a formula when, after removing
 * leading tabs/CR/LF/spaces *that follow an initial tab or CR*, it:
 *   - starts with `=` and is more than a run of `=` (a "=====" separator is not a formula), or
 *   - starts with `@` directly followed by a function call: `@SUM(`, `@HYPERLINK (`;
 *   - starts with `+` or `-` and then (after optional spaces) has
 *       a function call `NAME(` as its first token (`-HYPERLINK("http://…")`, `+SUM(A1)`), or
 *       a cell reference as its first token, alone or followed by an operator (`+A1`, `-$B$2*3`, `-Sheet1!A1`;
 *       not `- B12 deficiency`), or
 *       a DDE payload `word|` anywhere (`-2+3+cmd|' /C calc'!A0`), or
 *       an operator followed by a function call anywhere (`+1+SUM(A1:A9)`), or
 *       is a pure arithmetic expression with at least one operator after the sign (`+1+1`, `-2*3`).
 * A lone number (`-5`, `+1.5e3`) is not flagged: spreadsheets read it as that number, which is harmless.
 * The same rule decides what `csvEscapeForExport` neutralises, so what import reports is what export defuses.
 */
export function looksLikeFormula(cell: string): boolean {
  let s = cell;
  if (s.startsWith("\t") || s.startsWith("\r")) s = s.replace(/^[\t\r\n ]+/, "");
  const c = s[0];
  if (c === "=") return !/^=+$/.test(s);
  if (c === "@") return /^@\s*[A-Za-z_][\w.]*\s*\(/.test(s);
  if (c !== "+" && c !== "-") return false;
  const rest = s.replace(/^[+-]+\s*/, "");
  if (/^[A-Za-z_][\w.]*\s*\(/.test(rest)) return true;
  if (/^(?:'[^']+'|[A-Za-z_][\w.]*)!\$?[A-Za-z]{1,3}\$?\d+/.test(rest)) return true;
  if (/^\$?[A-Za-z]{1,3}\$?\d+(?=\s*(?:$|[-+*/^&:,;)]))/.test(rest)) return true;
  if (/[A-Za-z_]\w*\|/.test(s)) return true;
  if (/[-+*/^&=<>]\s*[A-Za-z_][\w.]*\s*\(/.test(rest)) return true;
  return /^[\d.\s]*\d[\d.\s]*(?:[-+*/^][\d.\s()]*\d[\d.\s()]*)+$/.test(rest);
}

/** An issue for every string field of `record` that looks like a formula (see `looksLikeFormula`). */
export function findFormulaCells(record: Record<string, unknown>, ctx: RowContext): ImportIssue[] {
  const out: ImportIssue[] = [];
  for (const [field, v] of Object.entries(record)) {
    if (typeof v === "string" && looksLikeFormula(v))
      out.push(issue(ctx, field, "cell looks like a spreadsheet formula (CSV injection); remove the leading = + - @"));
  }
  return out;
}

/**
 * One cell, ready to be written to a CSV (or TSV with `delimiter: "\t"`): a formula-looking cell gets a leading `'`
 * (spreadsheets show it as text, OWASP's advice), then the cell is quoted when it holds the delimiter, a quote, CR or
 * LF (quotes doubled).
 */
export function csvEscapeForExport(cell: string, delimiter = ","): string {
  let s = looksLikeFormula(cell) ? `'${cell}` : cell;
  if (s.includes(delimiter) || /["\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** A whole CSV row from cells (see `csvEscapeForExport`), without the line break. */
export function csvExportRow(cells: readonly string[], delimiter = ","): string {
  return cells.map((c) => csvEscapeForExport(c, delimiter)).join(delimiter);
}
