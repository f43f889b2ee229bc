import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertSupportedFile,
  checkQrelsHeader,
  crossCheckEvalSet,
  findFormulaCells,
  formatIssue,
  ImportError,
  ragLogToTriple,
  readLines,
  readRecords,
  validateBeirCorpusRow,
  validateBeirQueryRow,
  validateColumnMapping,
  validateCustomCorpusRow,
  validateCustomQueryRow,
  validateDocumentRow,
  validateFlagEmbeddingRow,
  validateMappedRow,
  validateQrelRow,
  EvalCrossChecker,
  type ColumnMapping,
  type ImportIssue,
  type RecordFormat,
  type RowContext,
  type RowResult,
} from "./index";
import { bytes, enc } from "./testing/bytes";

const FIX = path.join(import.meta.dirname, "fixtures", "malformed");
const tmp = mkdtempSync(path.join(tmpdir(), "m3-parsing-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


/** Runs a whole-file import the way the job does and returns every issue (fatal ones included). */
async function importIssues(
  source: string | Uint8Array,
  format: RecordFormat,
  validate: (rec: Record<string, unknown>, ctx: RowContext) => RowResult<unknown>,
  file = "input",
): Promise<{ issues: ImportIssue[]; rows: number }> {
  const issues: ImportIssue[] = [];
  let rows = 0;
  try {
    for await (const { line, record } of readRecords(typeof source === "string" ? source : [source], {
      format,
      file: typeof source === "string" ? undefined : file,
      maxLineBytes: 1024 * 1024,
      onIssue: (i) => issues.push(i),
    })) {
      const r = validate(record, { file: typeof source === "string" ? path.basename(source) : file, line });
      if (r.ok) rows++;
      else issues.push(...r.issues);
    }
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    issues.push(...e.issues);
  }
  return { issues, rows };
}

const flag = validateFlagEmbeddingRow;
const mapping: ColumnMapping = { query: "query", positive: "positive", negative: "negative" };
const mapped = (rec: Record<string, unknown>, ctx: RowContext) => validateMappedRow(rec, mapping, ctx);
const anyRow = (rec: Record<string, unknown>) => ({ ok: true as const, value: rec });

type Expect = { line: number | null; field: string | null; reason: RegExp };
type Case = {
  name: string;
  input: string | Uint8Array;
  format: RecordFormat;
  validate: (rec: Record<string, unknown>, ctx: RowContext) => RowResult<unknown>;
  expect: Expect[];
};

const fx = (name: string) => path.join(FIX, name);

const cases: Case[] = [
  { name: "bad JSON (trailing comma)", input: fx("bad-json.jsonl"), format: "jsonl", validate: flag, expect: [{ line: 2, field: null, reason: /invalid JSON/ }] },
  { name: "JSON array instead of object", input: enc('["q","p"]\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: null, reason: /expected a JSON object.*array/ }] },
  { name: "JSON number line", input: enc('{"query":"q","pos":["p"]}\n\n42\n'), format: "jsonl", validate: flag, expect: [{ line: 3, field: null, reason: /got number/ }] },
  { name: "missing query", input: fx("missing-query.jsonl"), format: "jsonl", validate: flag, expect: [{ line: 1, field: "query", reason: /missing/ }] },
  { name: "query wrong type", input: enc('{"query":5,"pos":["p"],"neg":[]}\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: "query", reason: /expected a string, got a number/ }] },
  { name: "query empty string", input: fx("empty-query.jsonl"), format: "jsonl", validate: flag, expect: [{ line: 1, field: "query", reason: /empty string/ }] },
  { name: "pos not an array", input: fx("pos-not-array.jsonl"), format: "jsonl", validate: flag, expect: [{ line: 1, field: "pos", reason: /expected an array/ }] },
  { name: "pos empty array", input: enc('{"query":"q","pos":[],"neg":[]}\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: "pos", reason: /empty array/ }] },
  { name: "pos item empty", input: enc('{"query":"q","pos":["a",""],"neg":[]}\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: "pos[1]", reason: /empty string/ }] },
  { name: "neg item wrong type", input: enc('{"query":"q","pos":["a"],"neg":[null]}\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: "neg[0]", reason: /got null/ }] },
  { name: "pos_scores length mismatch", input: enc('{"query":"q","pos":["a"],"neg":[],"pos_scores":[1,2]}\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: "pos_scores", reason: /2 scores for 1/ }] },
  { name: "neg_scores not numbers", input: enc('{"query":"q","pos":["a"],"neg":["b"],"neg_scores":["x"]}\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: "neg_scores[0]", reason: /expected a number/ }] },
  { name: "prompt wrong type", input: enc('{"query":"q","pos":["a"],"neg":[],"prompt":["x"]}\n'), format: "jsonl", validate: flag, expect: [{ line: 1, field: "prompt", reason: /expected a string/ }] },
  { name: "mismatched CSV columns", input: fx("mismatched-columns.csv"), format: "csv", validate: mapped, expect: [{ line: 3, field: null, reason: /expected 3 columns.*found 4/ }] },
  { name: "too few TSV columns", input: enc("query\tpositive\nq\n"), format: "tsv", validate: anyRow, expect: [{ line: 2, field: null, reason: /expected 2 columns.*found 1/ }] },
  { name: "unterminated quote", input: fx("unterminated-quote.csv"), format: "csv", validate: mapped, expect: [{ line: 2, field: null, reason: /unterminated quoted field/ }] },
  { name: "text after closing quote", input: enc('query,positive\n"q"x,p\nq2,p2\n'), format: "csv", validate: anyRow, expect: [{ line: 2, field: null, reason: /after a closing quote/ }] },
  { name: "duplicate header column", input: enc("query,query\na,b\n"), format: "csv", validate: anyRow, expect: [{ line: 1, field: "query", reason: /duplicate column/ }] },
  { name: "empty header column", input: enc("query,,positive\na,b,c\n"), format: "csv", validate: anyRow, expect: [{ line: 1, field: "column 2", reason: /empty column name/ }] },
  { name: "mapped positive empty", input: enc("query,positive,negative\nq1,,n\n"), format: "csv", validate: mapped, expect: [{ line: 2, field: "positive", reason: /empty string/ }] },
  { name: "mapped JSONL column missing", input: enc('{"query":"q"}\n'), format: "jsonl", validate: mapped, expect: [{ line: 1, field: "positive", reason: /missing/ }] },
  { name: "invalid UTF-8 that is not GB18030", input: fx("invalid-utf8.csv"), format: "csv", validate: anyRow, expect: [{ line: 3, field: null, reason: /not GB18030/ }] },
  {
    name: "UTF-8 file with a later GB18030 line (mixed encodings)",
    input: bytes("query,positive\n中文,好\n", [0xc4, 0xe3, 0xba, 0xc3], ",x\n"),
    format: "csv",
    validate: anyRow,
    expect: [{ line: 3, field: null, reason: /invalid UTF-8 \(byte 0xC4\) after UTF-8 text.*mixes encodings/ }],
  },
  {
    name: "GB18030 file with an invalid byte on line 3",
    input: bytes("q,p\n", [0xc4, 0xe3], ",x\n", "a,", [0xff], "\n"),
    format: "csv",
    validate: anyRow,
    expect: [{ line: 3, field: null, reason: /not GB18030 either/ }],
  },
  { name: "UTF-16LE BOM", input: fx("utf16le.csv"), format: "csv", validate: anyRow, expect: [{ line: 1, field: null, reason: /UTF-16LE.*not supported/ }] },
  { name: "BEIR corpus missing text", input: enc('{"_id":"d1","title":""}\n'), format: "jsonl", validate: validateBeirCorpusRow, expect: [{ line: 1, field: "text", reason: /missing/ }] },
  { name: "BEIR corpus empty text and no title", input: enc('{"_id":"d1","text":"  "}\n'), format: "jsonl", validate: validateBeirCorpusRow, expect: [{ line: 1, field: "text", reason: /empty/ }] },
  { name: "BEIR query _id wrong type", input: enc('{"_id":{"x":1},"text":"q"}\n'), format: "jsonl", validate: validateBeirQueryRow, expect: [{ line: 1, field: "_id", reason: /got an object/ }] },
  { name: "qrels fractional score", input: enc("query-id\tcorpus-id\tscore\nq1\td1\t0.5\n"), format: "tsv", validate: validateQrelRow, expect: [{ line: 2, field: "score", reason: /integer/ }] },
  { name: "qrels negative score", input: enc("query-id\tcorpus-id\tscore\nq1\td1\t-1\n"), format: "tsv", validate: validateQrelRow, expect: [{ line: 2, field: "score", reason: /≥ 0/ }] },
  { name: "qrels empty corpus id", input: enc("query-id\tcorpus-id\tscore\nq1\t\t1\n"), format: "tsv", validate: validateQrelRow, expect: [{ line: 2, field: "corpus-id", reason: /empty id/ }] },
  { name: "custom queries pos not array", input: enc('{"query":"q","pos":"p"}\n'), format: "jsonl", validate: validateCustomQueryRow, expect: [{ line: 1, field: "pos", reason: /array/ }] },
  { name: "custom corpus without content/text", input: enc('{"id":"1","body":"x"}\n'), format: "jsonl", validate: validateCustomCorpusRow, expect: [{ line: 1, field: "content", reason: /missing/ }] },
  { name: "document row missing text", input: enc('{"id":"a","body":"x"}\n'), format: "jsonl", validate: (r, c) => validateDocumentRow(r, c), expect: [{ line: 1, field: "text", reason: /missing/ }] },
  { name: "document csv mapped column empty", input: enc("id,body\n1,\n"), format: "csv", validate: (r, c) => validateDocumentRow(r, c, { textField: "body" }), expect: [{ line: 2, field: "body", reason: /empty/ }] },
  { name: "raglog helpful id not retrieved", input: fx("raglog-unknown-helpful.jsonl"), format: "jsonl", validate: (r, c) => ragLogToTriple(r, c), expect: [{ line: 1, field: "user_feedback.helpful_docs[0]", reason: /not among retrieved_docs/ }] },
  {
    name: "raglog bad rank",
    input: enc('{"query":"q","retrieved_docs":[{"doc_id":1,"content":"a","rank":1},{"doc_id":2,"content":"b","rank":0}],"user_feedback":{"helpful_docs":[1]}}\n'),
    format: "jsonl",
    validate: (r, c) => ragLogToTriple(r, c),
    expect: [{ line: 1, field: "retrieved_docs[1].rank", reason: /integer ≥ 1/ }],
  },
  { name: "raglog retrieved_docs not an array", input: enc('{"query":"q","retrieved_docs":"a,b"}\n'), format: "jsonl", validate: (r, c) => ragLogToTriple(r, c), expect: [{ line: 1, field: "retrieved_docs", reason: /expected an array/ }] },
  {
    name: "raglog duplicate doc_id and empty content",
    input: enc('{"query":"q","retrieved_docs":[{"doc_id":"a","content":"x","rank":1},{"doc_id":"a","content":"","rank":2}]}\n'),
    format: "jsonl",
    validate: (r, c) => ragLogToTriple(r, c),
    expect: [
      { line: 1, field: "retrieved_docs[1].content", reason: /empty/ },
      { line: 1, field: "retrieved_docs[1].doc_id", reason: /duplicate/ },
    ],
  },
];

describe("malformed corpus: every input is reported with file, line and field", () => {
  it.each(cases)("$name", async (c) => {
    const { issues } = await importIssues(c.input, c.format, c.validate, "upload.bin");
    const file = typeof c.input === "string" ? path.basename(c.input) : "upload.bin";
    expect(issues.map((i) => ({ file: i.file, line: i.line, field: i.field }))).toEqual(
      c.expect.map((e) => ({ file, line: e.line, field: e.field })),
    );
    c.expect.forEach((e, k) => expect(issues[k]!.reason).toMatch(e.reason));
  });

  it("a 50 MB single line is refused naming the line, without buffering it whole", async () => {
    const p = path.join(tmp, "huge.jsonl");
    const fd = openSync(p, "w");
    writeSync(fd, '{"query":"q","pos":["p"],"neg":[]}\n{"query":"');
    const block = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, '","pos":["p"]}\n');
    closeSync(fd);
    const seen: number[] = [];
    const err = await (async () => {
      try {
        for await (const l of readLines(p, { maxLineBytes: 1024 * 1024 })) seen.push(l.line);
      } catch (e) {
        return e as ImportError;
      }
      return null;
    })();
    expect(seen).toEqual([1]);
    expect(err).toBeInstanceOf(ImportError);
    expect(formatIssue(err!.issues[0]!)).toBe("huge.jsonl:2: line is longer than the limit of 1048576 bytes");
  });

  it("qrels naming unknown query and corpus ids, duplicates, and duplicate ids", async () => {
    const qrels: Array<{ queryId: string; corpusId: string; score: number; at: { file: string; line: number } }> = [];
    for await (const { line, record } of readRecords(fx("qrels-unknown-ids.tsv"), { format: "tsv", onHeader: (cols, l) => expect(checkQrelsHeader(cols, { file: "x", line: l })).toEqual([]) })) {
      const r = validateQrelRow(record, { file: "qrels-unknown-ids.tsv", line });
      if (r.ok) qrels.push({ ...r.value, at: { file: "qrels-unknown-ids.tsv", line } });
    }
    const res = crossCheckEvalSet({
      corpus: [
        { id: "d1", at: { file: "corpus.jsonl", line: 1 } },
        { id: "d1", at: { file: "corpus.jsonl", line: 4 } },
      ],
      queries: [{ id: "q1", at: { file: "queries.jsonl", line: 1 } }, { id: "q2", at: { file: "queries.jsonl", line: 2 } }],
      qrels: [...qrels, { queryId: "q1", corpusId: "d1", score: 0, at: { file: "qrels-unknown-ids.tsv", line: 5 } }],
    });
    expect(res.issues.map(formatIssue)).toEqual([
      'corpus.jsonl:4: _id: duplicate corpus id "d1" (first at corpus.jsonl:1)',
      'qrels-unknown-ids.tsv:3: query-id: unknown query id "q9" (not in the queries file)',
      'qrels-unknown-ids.tsv:4: corpus-id: unknown corpus id "d7" (not in the corpus file)',
      'qrels-unknown-ids.tsv:5: corpus-id: duplicate qrel for query "q1" and document "d1" (first at qrels-unknown-ids.tsv:2)',
    ]);
    expect(res.queriesWithoutRelevant).toEqual(["q2"]);
    const c = new EvalCrossChecker();
    c.addQueryId("q", { file: "queries.jsonl", line: 1 });
    c.addQueryId("q", { file: "queries.jsonl", line: 2 });
    expect(c.issues[0]).toMatchObject({ line: 2, field: "_id" });
  });

  it("qrels header without a score column", () => {
    expect(checkQrelsHeader(["query-id", "corpus-id"], { file: "qrels.tsv", line: 1 }).map(formatIssue)).toEqual([
      "qrels.tsv:1: score: qrels header must have columns query-id, corpus-id, score (found: query-id, corpus-id)",
    ]);
  });

  it("a formula cell is reported with field and line", async () => {
    const found: ImportIssue[] = [];
    for await (const { line, record } of readRecords(fx("formula-cell.csv"), { format: "csv" }))
      found.push(...findFormulaCells(record, { file: "formula-cell.csv", line }));
    expect(found.map((i) => `${i.line}:${i.field}`)).toEqual(["3:query"]);
  });

  it("a column mapping naming a missing column", () => {
    expect(validateColumnMapping({ query: "title", positive: "answr" }, ["title", "answer"], "f.csv").map(formatIssue)).toEqual([
      "f.csv: answr: column mapped as positive is not in the file (columns: title, answer)",
    ]);
  });

  it("archives are refused by name and by magic bytes", () => {
    const ascii = enc("query,positive\n");
    expect(() => assertSupportedFile("data.zip", ascii)).toThrow(/\.zip: archives and binary files are not accepted/);
    expect(() => assertSupportedFile("data.jsonl.gz", ascii)).toThrow(/\.gz/);
    expect(() => assertSupportedFile("book.xlsx", ascii)).toThrow(/\.xlsx/);
    const zip = new Uint8Array(readFileSync(fx("archive-named.csv")));
    expect(() => assertSupportedFile("archive-named.csv", zip)).toThrow(/ZIP archive/);
    expect(() => assertSupportedFile("x.jsonl", new Uint8Array([0x1f, 0x8b, 8, 0]))).toThrow(/gzip/);
    const tar = new Uint8Array(512);
    tar.set(enc("ustar"), 257);
    expect(() => assertSupportedFile("x.txt", tar)).toThrow(/tar archive/);
    expect(() => assertSupportedFile("x.csv", new Uint8Array([0x61, 0, 0x62]))).toThrow(/NUL byte|UTF-16/);
    expect(() => assertSupportedFile("x.parquet", ascii)).toThrow(/unsupported file type "\.parquet"/);
    try {
      assertSupportedFile("x.zip", ascii);
    } catch (e) {
      expect((e as ImportError).issues[0]).toMatchObject({ file: "x.zip", line: null, field: null });
    }
    expect(assertSupportedFile("a.ndjson", ascii)).toBe("jsonl");
    expect(assertSupportedFile("qrels/test.TSV", ascii)).toBe("tsv");
  });
});
