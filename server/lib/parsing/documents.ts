import { id, optionalString, requiredText, RowIssues } from "./fields";
import { importError, type ImportIssue, type RowContext, type RowResult } from "./issues";
import { readLines, type ReadLinesOptions } from "./lines";
import { readRecords } from "./records";
import { displayName, type ByteSource } from "./source";

/** A document for synthesis (chunked later). */
export interface SourceDocument {
  id: string;
  title?: string;
  text: string;
}

/** Default cap on one txt/md document (characters): 20 MiB-ish. Larger books should be split before upload. */
export const DEFAULT_MAX_DOCUMENT_CHARS = 20 * 1024 * 1024;

/**
 * jsonl/csv document row: the text is `textField` when given, else `text`, else `content`; id from `idField`
 * (default `id`, optional: falls back to `file:line`); title from `titleField` (default `title`).
 */
export function validateDocumentRow(
  rec: Record<string, unknown>,
  ctx: RowContext,
  opts: { textField?: string; idField?: string; titleField?: string } = {},
): RowResult<SourceDocument> {
  const out = new RowIssues(ctx);
  const textKey = opts.textField ?? (rec.text !== undefined ? "text" : rec.content !== undefined ? "content" : "text");
  const text = rec[textKey] === undefined && !opts.textField ? out.add("text", "missing (text or content)") : requiredText(rec, textKey, out);
  const idKey = opts.idField ?? "id";
  const rawId = rec[idKey];
  const docId = rawId === undefined || rawId === null || rawId === "" ? `${ctx.file}:${ctx.line ?? 0}` : id(rawId, idKey, out);
  const title = optionalString(rec, opts.titleField ?? "title", out);
  if (!out.ok) return { ok: false, issues: out.issues };
  return { ok: true, value: title ? { id: docId!, title, text: text! } : { id: docId!, text: text! } };
}

export interface ReadDocumentsOptions extends ReadLinesOptions {
  format: "txt" | "md" | "jsonl" | "csv" | "tsv";
  textField?: string;
  idField?: string;
  titleField?: string;
  /** txt/md: the whole file is one document, capped at this many characters (ImportError beyond). */
  maxDocumentChars?: number;
  onIssue?: (issue: ImportIssue) => void;
}

/**
 * Streams documents: jsonl/csv/tsv give one per record (validated by `validateDocumentRow`; bad rows go to
 * `onIssue`, or are thrown without it); txt/md give one document per file (id = file name, title = first Markdown
 * heading or the file name), with CRLF normalised. An empty txt/md file is an issue.
 */
export async function* readDocuments(source: ByteSource, opts: ReadDocumentsOptions): AsyncGenerator<{ line: number; doc: SourceDocument }> {
  const file = displayName(source, opts.file);
  if (opts.format === "txt" || opts.format === "md") {
    const max = opts.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
    const lines: string[] = [];
    let chars = 0;
    let title: string | undefined;
    for await (const { line, text } of readLines(source, { ...opts, file })) {
      chars += text.length + 1;
      if (chars > max) throw importError({ file, line }, null, `document is longer than the limit of ${max} characters; split it`);
      if (title === undefined && opts.format === "md") {
        const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(text);
        if (m) title = m[1];
      }
      lines.push(text);
    }
    const text = lines.join("\n");
    if (text.trim() === "") throw importError({ file, line: null }, null, "the document is empty");
    yield { line: 1, doc: { id: file, title: title ?? file, text } };
    return;
  }
  const report = (i: ImportIssue) => {
    if (opts.onIssue) opts.onIssue(i);
    else throw importError({ file: i.file, line: i.line }, i.field, i.reason);
  };
  for await (const { line, record } of readRecords(source, { ...opts, file, format: opts.format })) {
    const r = validateDocumentRow(record, { file, line }, opts);
    if (r.ok) yield { line, doc: r.value };
    else r.issues.forEach(report);
  }
}

