import { CsvRecordParser } from "./csv";
import { importError, issue, type ImportIssue } from "./issues";
import { readLines, type ReadLinesOptions, DEFAULT_MAX_LINE_BYTES } from "./lines";
import { displayName, type ByteSource } from "./source";

export type RecordFormat = "jsonl" | "csv" | "tsv";

export interface ReadRecordsOptions extends ReadLinesOptions {
  format: RecordFormat;
  /**
   * Receives recoverable per-record issues (bad JSON, not an object, wrong column count, bad quoting); the record is
   * skipped and reading goes on. Without it the first such issue is thrown as an ImportError.
   */
  onIssue?: (issue: ImportIssue) => void;
  /** CSV/TSV: called once with the header's column names (trimmed) and its line. */
  onHeader?: (columns: string[], line: number) => void;
}

export interface SourceRecord {
  line: number;
  record: Record<string, unknown>;
}

/**
 * Streams records from JSON Lines or a CSV/TSV file with a header row.
 *
 * JSONL: one JSON object per line; blank lines are skipped; anything else (bad JSON, an array, a number) is an issue
 * for that line. CSV/TSV: the first non-blank record is the header (names trimmed; an empty or duplicate name is an
 * ImportError); every record must have exactly the header's column count; fields are strings; a record spanning lines
 * (quoted line breaks) reports the line it starts on. Fatal problems (encoding, over-long line, unterminated quote at
 * end of file, header) are always thrown.
 */
export async function* readRecords(source: ByteSource, opts: ReadRecordsOptions): AsyncGenerator<SourceRecord> {
  const file = displayName(source, opts.file);
  const lineOpts: ReadLinesOptions = { ...opts, file };
  const report = (i: ImportIssue) => {
    if (opts.onIssue) opts.onIssue(i);
    else throw importError({ file: i.file, line: i.line }, i.field, i.reason);
  };
  if (opts.format === "jsonl") {
    for await (const { line, text } of readLines(source, lineOpts)) {
      if (text.trim() === "") continue;
      const parsed = parseJsonObject(text);
      if (typeof parsed === "string") report(issue({ file, line }, null, parsed));
      else yield { line, record: parsed };
    }
    return;
  }
  const parser = new CsvRecordParser(opts.format === "csv" ? "," : "\t", opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let header: string[] | null = null;
  for await (const { line, text } of readLines(source, lineOpts)) {
    if (!parser.pending && text.trim() === "") continue;
    const rec = parser.push(text, line);
    if (!rec) continue;
    const ctx = { file, line: rec.line };
    if (!header) {
      if (rec.error) throw importError(ctx, null, `header: ${rec.error}`);
      header = rec.fields.map((f) => f.trim());
      const seen = new Set<string>();
      header.forEach((name, i) => {
        if (name === "") throw importError(ctx, `column ${i + 1}`, "header has an empty column name");
        if (seen.has(name)) throw importError(ctx, name, "duplicate column name in header");
        seen.add(name);
      });
      opts.onHeader?.(header, rec.line);
      continue;
    }
    if (rec.error) {
      report(issue(ctx, null, rec.error));
      continue;
    }
    if (rec.fields.length !== header.length) {
      report(issue(ctx, null, `expected ${header.length} columns (as in the header) but found ${rec.fields.length}`));
      continue;
    }
    const record: Record<string, unknown> = {};
    header.forEach((name, i) => (record[name] = rec.fields[i]));
    yield { line: rec.line, record };
  }
  if (parser.pending) throw importError({ file, line: parser.pendingSince }, null, "unterminated quoted field at end of file");
}

/** The parsed object, or the reason it is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `invalid JSON: ${(e as Error).message.slice(0, 200)}`;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    const got = v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
    return `expected a JSON object on each line, got ${got}`;
  }
  return v as Record<string, unknown>;
}
