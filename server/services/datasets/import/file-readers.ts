import type { ColumnMapping } from "../../../jobs/definitions/import-dataset";
import {
  readRecords, validateBeirCorpusRow, validateBeirQueryRow, validateColumnMapping, validateCustomCorpusRow,
  validateCustomQueryRow, validateFlagEmbeddingRow, validateMappedRow, validateQrelRow, checkQrelsHeader,
  findFormulaCells, readDocuments, ragLogToTriple, type ImportIssue, type RecordFormat, type TrainingTriple,
  type CorpusDoc, type EvalQuery, type Qrel, type SourceDocument,
} from "../../../lib/parsing";

/**
 * Typed readers per file role. Each yields valid values with their line, and reports every
 * bad row through `onIssue` (the import collects them and, if any, writes nothing).
 */
export interface FileInput {
  source: AsyncIterable<Uint8Array>;
  file: string;
  format: RecordFormat | "txt" | "md";
  mapping?: ColumnMapping;
  onIssue: (issue: ImportIssue) => void;
}

function recordFormat(input: FileInput): RecordFormat {
  if (input.format === "txt" || input.format === "md") {
    input.onIssue({ file: input.file, line: null, field: null, reason: `a ${input.format} file cannot hold this data; use jsonl, csv or tsv` });
    return "jsonl";
  }
  return input.format;
}

/** Rows of a CSV/TSV file are checked for spreadsheet formulas (CSV injection). */
async function* rows(input: FileInput, onHeader?: (columns: string[]) => void) {
  const format = recordFormat(input);
  const tabular = format !== "jsonl";
  for await (const row of readRecords(input.source, { format, file: input.file, onIssue: input.onIssue, onHeader })) {
    if (tabular) {
      const formulas = findFormulaCells(row.record, { file: input.file, line: row.line });
      if (formulas.length) {
        formulas.forEach(input.onIssue);
        continue;
      }
    }
    yield row;
  }
}

export async function* readPairs(input: FileInput): AsyncGenerator<{ line: number; value: TrainingTriple }> {
  const mapping = input.mapping?.query && input.mapping.positive
    ? { query: input.mapping.query, positive: input.mapping.positive, negative: input.mapping.negative, group: input.mapping.group }
    : null;
  let headerOk = true;
  const onHeader = (columns: string[]) => {
    if (!mapping) return;
    const problems = validateColumnMapping(mapping, columns, input.file);
    problems.forEach(input.onIssue);
    headerOk = problems.length === 0;
  };
  for await (const { line, record } of rows(input, onHeader)) {
    if (!headerOk) return;
    const result = mapping ? validateMappedRow(record, mapping, { file: input.file, line }) : validateFlagEmbeddingRow(record, { file: input.file, line });
    if (result.ok) yield { line, value: result.value };
    else result.issues.forEach(input.onIssue);
  }
}

/** BEIR corpus.jsonl, or a mapped CSV/JSONL (id/text/title columns). */
export async function* readCorpus(input: FileInput): AsyncGenerator<{ line: number; value: CorpusDoc }> {
  const m = input.mapping;
  for await (const { line, record } of rows(input)) {
    const ctx = { file: input.file, line };
    const mapped = m?.text ? { _id: record[m.id ?? "_id"], text: record[m.text], title: m.title ? record[m.title] : undefined } : record;
    const beir = mapped._id !== undefined || m?.id;
    const result = beir ? validateBeirCorpusRow(mapped, ctx) : validateCustomCorpusRow(mapped, ctx);
    if (!result.ok) result.issues.forEach(input.onIssue);
    else yield { line, value: { id: result.value.id ?? `${input.file}:${line}`, text: result.value.text, ...(result.value.title ? { title: result.value.title } : {}) } };
  }
}

/** BEIR queries.jsonl `{_id, text}`, or FlagEmbedding custom queries `{query, pos[]}`. */
export async function* readQueries(input: FileInput): AsyncGenerator<{ line: number; value: EvalQuery | { query: string; pos: string[] } }> {
  const m = input.mapping;
  for await (const { line, record } of rows(input)) {
    const ctx = { file: input.file, line };
    const mapped = m?.text ? { _id: record[m.id ?? "_id"], text: record[m.text] } : record;
    const result = mapped.query !== undefined && mapped.pos !== undefined ? validateCustomQueryRow(mapped, ctx) : validateBeirQueryRow(mapped, ctx);
    if (result.ok) yield { line, value: result.value };
    else result.issues.forEach(input.onIssue);
  }
}

export async function* readQrels(input: FileInput): AsyncGenerator<{ line: number; value: Qrel }> {
  const onHeader = (columns: string[]) => checkQrelsHeader(columns, { file: input.file, line: 1 }).forEach(input.onIssue);
  for await (const { line, record } of rows({ ...input, format: input.format === "jsonl" ? "jsonl" : "tsv" }, onHeader)) {
    const result = validateQrelRow(record, { file: input.file, line });
    if (result.ok) yield { line, value: result.value };
    else result.issues.forEach(input.onIssue);
  }
}

export async function* readDocs(input: FileInput): AsyncGenerator<{ line: number; value: SourceDocument }> {
  const format = input.format;
  for await (const { line, doc } of readDocuments(input.source, {
    format, file: input.file, onIssue: input.onIssue,
    textField: input.mapping?.text, idField: input.mapping?.id, titleField: input.mapping?.title,
  })) {
    yield { line, value: doc };
  }
}

/** RAG logs become training triples as they are read (logs without feedback are skipped). */
export async function* readRagLogs(input: FileInput, skipped: { count: number }): AsyncGenerator<{ line: number; value: TrainingTriple }> {
  for await (const { line, record } of rows(input)) {
    const result = ragLogToTriple(record, { file: input.file, line });
    if (!result.ok) result.issues.forEach(input.onIssue);
    else if (result.value === null) skipped.count++;
    else yield { line, value: result.value };
  }
}
