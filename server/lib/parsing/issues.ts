/**
 * Import issues: the one shape every reader and validator reports problems in.
 *
 * A reader either yields well-formed rows or reports an issue; it never yields a partial row. `line` is 1-based and
 * names the physical line where the offending record starts (null for whole-file problems such as an archive);
 * `field` is the JSON key / column / path inside the record (`pos[2]`, `retrieved_docs[0].rank`) or null.
 */
export interface ImportIssue {
  file: string;
  line: number | null;
  field: string | null;
  reason: string;
}

/** Where a row came from, passed to validators so their issues can name it. */
export interface RowContext {
  file: string;
  line: number | null;
}

/** Result of validating one row: a typed value, or the issues that stopped it (never both). */
export type RowResult<T> = { ok: true; value: T } | { ok: false; issues: ImportIssue[] };

/** `file:line: field: reason`; a missing line or field is left out (`file: reason`, `file:3: reason`). */
export function formatIssue(i: ImportIssue): string {
  const where = i.line === null ? i.file : `${i.file}:${i.line}`;
  return i.field === null ? `${where}: ${i.reason}` : `${where}: ${i.field}: ${i.reason}`;
}

/** Thrown by readers for problems that end the read (encoding, over-long line, archive, bad CSV header). */
export class ImportError extends Error {
  readonly issues: ImportIssue[];
  constructor(issues: ImportIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ImportError";
    this.issues = issues;
  }
}

export function issue(ctx: RowContext, field: string | null, reason: string): ImportIssue {
  return { file: ctx.file, line: ctx.line, field, reason };
}

export function importError(ctx: RowContext, field: string | null, reason: string): ImportError {
  return new ImportError([issue(ctx, field, reason)]);
}

export function isImportError(e: unknown): e is ImportError {
  return e instanceof ImportError;
}
