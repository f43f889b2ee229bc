import { createReadStream } from "node:fs";
import path from "node:path";
import { formatIssue, type ImportIssue, type RecordFormat } from "~/server/lib/parsing";
import { readCorpus } from "~/server/services/datasets/import/file-readers";
import type { CorpusSource } from "./index-corpus";

/**
 * A corpus file (BEIR corpus.jsonl `{_id, title?, text}`, `{id?, text}` JSONL, or CSV/TSV with those columns) as
 * an indexing source, read the way the import reads it (a title is joined to the text as the import stores it).
 * A first pass counts and validates it — any bad row fails with `file:line: field: reason` before encoding starts —
 * and pages are then read by streaming the file forward, so memory stays flat however large the file is.
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
  for await (const { value } of readCorpus(input)) yield { id: value.id, text: value.title ? `${value.title}\n${value.text}` : value.text };
}

export async function fileCorpus(file: string): Promise<CorpusSource> {
  const issues: ImportIssue[] = [];
  let total = 0;
  for await (const _ of documents(file, (i) => issues.push(i))) total++;
  if (issues.length) {
    const more = issues.length > MAX_LISTED_ISSUES ? `\n… and ${issues.length - MAX_LISTED_ISSUES} more` : "";
    throw new Error(`the corpus has ${issues.length} bad row(s):\n${issues.slice(0, MAX_LISTED_ISSUES).map(formatIssue).join("\n")}${more}`);
  }
  let reader: AsyncGenerator<{ id: string; text: string }> | null = null;
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
        if (cursor++ >= offset) out.push(next.value);
      }
      return out;
    },
  };
}
