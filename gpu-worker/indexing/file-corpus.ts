import { createReadStream } from "node:fs";
import path from "node:path";
import { formatIssue, type ImportIssue, type RecordFormat } from "~/server/lib/parsing";
import { EvalCrossChecker } from "~/server/lib/parsing/crosscheck";
import { readCorpus } from "~/server/services/datasets/import/file-readers";
import type { CorpusSource } from "./index-corpus";

/**
 * A corpus file (BEIR corpus.jsonl `{_id, title?, text}`, `{id?, text}` JSONL, or CSV/TSV with those columns) as
 * an indexing source, read the way the import reads it (a title is joined to the text as the import stores it).
 * A first pass counts and validates it — any bad row, and any document id seen on an earlier line (every store keys
 * its rows by id: Qdrant and Elasticsearch would silently keep one of them, pgvector's COPY would fail on the
 * primary key), fails with `file:line: field: reason` before encoding starts — and pages are then read by
 * streaming the file forward, so memory stays flat however large the file is (the first pass keeps one map entry
 * per id, nothing of the text).
 */
const MAX_LISTED_ISSUES = 20;

function formatOf(file: string): RecordFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".tsv") return "tsv";
  if (ext === ".jsonl" || ext === ".ndjson" || ext === ".json") return "jsonl";
  throw new Error(`${file}: use a .jsonl, .csv or .tsv corpus file`);
}

async function* documents(file: string, onIssue: (i: ImportIssue) => void) {
  const input = { source: createReadStream(file), file, format: formatOf(file), onIssue };
  for await (const { line, value } of readCorpus(input)) yield { line, id: value.id, text: value.title ? `${value.title}\n${value.text}` : value.text };
}

export async function fileCorpus(file: string): Promise<CorpusSource> {
  const issues: ImportIssue[] = [];
  const ids = new EvalCrossChecker();
  let total = 0;
  for await (const doc of documents(file, (i) => issues.push(i))) {
    ids.addCorpusId(doc.id, { file, line: doc.line });
    total++;
  }
  // In file order, so the first problem listed is the first one in the file.
  issues.push(...ids.issues);
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (issues.length) {
    const more = issues.length > MAX_LISTED_ISSUES ? `\n… and ${issues.length - MAX_LISTED_ISSUES} more` : "";
    throw new Error(`the corpus has ${issues.length} bad row(s):\n${issues.slice(0, MAX_LISTED_ISSUES).map(formatIssue).join("\n")}${more}`);
  }
  let reader: AsyncGenerator<{ line: number; id: string; text: string }> | null = null;
  let cursor = 0;
  return {
    total,
    async page(offset, limit) {
      // indexCorpus asks for pages in order; a page behind the cursor (never, today) re-reads from the start.
      if (!reader || offset < cursor) {
        await reader?.return(undefined);
        reader = documents(file, () => {});
        cursor = 0;
      }
      const out: Array<{ id: string; text: string }> = [];
      while (cursor < offset + limit) {
        const next = await reader.next();
        if (next.done) break;
        if (cursor++ >= offset) out.push({ id: next.value.id, text: next.value.text });
      }
      return out;
    },
  };
}
