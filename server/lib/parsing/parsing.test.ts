import { MEDQUAD_JSONL, ZH_DIALOGUE_CSV } from "../../testing/shared-data";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertSupportedFile,
  checkQrelsHeader,
  crossCheckEvalSet,
  csvEscapeForExport,
  detectEncoding,
  findFormulaCells,
  formatIssue,
  ImportError,
  looksLikeFormula,
  pairsToEvalSet,
  ragLogToTriple,
  readDocuments,
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
  EvalSetBuilder,
  csvExportRow,
  type ColumnMapping,
  type ImportIssue,
  type RecordFormat,
  type RowContext,
  type RowResult,
} from "./index";

const FIX = path.join(import.meta.dirname, "fixtures", "malformed");
const ZH = ZH_DIALOGUE_CSV;
const EN = MEDQUAD_JSONL;
const tmp = mkdtempSync(path.join(tmpdir(), "m3-parsing-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

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


describe("encodings, BOMs and line endings", () => {
  it("detectEncoding", () => {
    expect(detectEncoding(enc("plain ascii"))).toBe("utf-8");
    expect(detectEncoding(enc("中文"))).toBe("utf-8");
    expect(detectEncoding(new Uint8Array([0xc4, 0xe3, 0xba, 0xc3]))).toBe("gb18030");
    expect(detectEncoding(new Uint8Array([0x84, 0x31, 0x95, 0x33, 0x61]))).toBe("gb18030");
    expect(detectEncoding(bytes([0xef, 0xbb, 0xbf], "x"))).toBe("utf-8");
    // a UTF-8 head cut in the middle of a character is still UTF-8
    expect(detectEncoding(enc("中文").subarray(0, 4))).toBe("utf-8");
    expect(() => detectEncoding(bytes("a\nb\n", [0xff, 0xff]), "f.txt")).toThrow(/^f\.txt:3: invalid UTF-8 and not GB18030/);
    expect(() => detectEncoding(new Uint8Array([0xfe, 0xff, 0, 0x61]))).toThrow(/UTF-16BE/);
  });

  it("UTF-8 BOM, double BOM and a BOM mid-file (cat of two files) are removed", async () => {
    const input = bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], '{"a":1}\r\n', [0xef, 0xbb, 0xbf], '{"a":2}\n');
    const got = [];
    for await (const r of readRecords([input], { format: "jsonl" })) got.push(r);
    expect(got).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, record: { a: 2 } },
    ]);
  });

  it("GB18030 BOM, CRLF, quoted newlines and a final line without LF", async () => {
    const gb = new Uint8Array([0xc4, 0xe3, 0xba, 0xc3]); // 你好
    const input = bytes([0x84, 0x31, 0x95, 0x33], "q,p\r\n", Array.from(gb), ',"line one\r\nline ""two"""\r\nz,', Array.from(gb));
    const got = [];
    for await (const r of readRecords([input], { format: "csv" })) got.push(r);
    expect(got).toEqual([
      { line: 2, record: { q: "你好", p: 'line one\nline "two"' } },
      { line: 4, record: { q: "z", p: "你好" } },
    ]);
  });

  it("an ASCII head followed by GB18030 switches encoding (provisional detection)", async () => {
    const asciiHead = "h\n" + "a".repeat(70_000) + "\n";
    const input = bytes(asciiHead, [0xc4, 0xe3, 0xba, 0xc3], "\n");
    // chunked oddly, splitting the multi-byte character
    const buf = new Uint8Array(input);
    const chunks = [buf.subarray(0, 1000), buf.subarray(1000, buf.length - 3), buf.subarray(buf.length - 3)];
    const lines = [];
    for await (const l of readLines(chunks)) lines.push(l);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(lines[2]!.text).toBe("你好");
  });

  it("a CRLF split across chunks and a line exactly at the limit", async () => {
    const lines = [];
    for await (const l of readLines([enc("abcd\r"), enc("\nef")], { maxLineBytes: 4 })) lines.push(l);
    expect(lines).toEqual([
      { line: 1, text: "abcd" },
      { line: 2, text: "ef" },
    ]);
    await expect(async () => {
      for await (const _ of readLines([enc("abcde\n")], { maxLineBytes: 4, file: "t.txt" })) void _;
    }).rejects.toThrow("t.txt:1: line is longer than the limit of 4 bytes");
  });
});

describe("formula injection rule", () => {
  it.each([
    ["=1+1", true],
    ['=HYPERLINK("http://x")', true],
    ["=====", false],
    ["@SUM(A1:A2)", true],
    ["@alice said hi", false],
    ["+A1", true],
    ["-$B$2*3", true],
    ["-Sheet1!A1", true],
    ["-2+3+cmd|' /C calc'!A0", true],
    ["+1+SUM(A1:A9)", true],
    ['-HYPERLINK("http://x","y")', true],
    ["+1+1", true],
    ["\t=1+1", true],
    ["\r-SUM(A1)", true],
    ["- item one", false],
    ["-5 mg twice a day", false],
    ["-5", false],
    ["+86 138 0000 0000", false],
    ["- B12 deficiency", false],
    ["-Vitamin D(25-OH) level", false],
    ["\tindented text", false],
    ["normal = text", false],
  ])("%j → %s", (cell, flagged) => {
    expect(looksLikeFormula(cell)).toBe(flagged);
  });

  it("csvEscapeForExport neutralises flagged cells and quotes", () => {
    expect(csvEscapeForExport("=1+1")).toBe("'=1+1");
    expect(csvEscapeForExport('=HYPERLINK("a","b")')).toBe(`"'=HYPERLINK(""a"",""b"")"`);
    expect(csvEscapeForExport("- item")).toBe("- item");
    expect(csvEscapeForExport("a,b")).toBe('"a,b"');
    expect(csvEscapeForExport("line\nbreak")).toBe('"line\nbreak"');
    expect(csvEscapeForExport("a\tb", "\t")).toBe('"a\tb"');
  });
});

describe("validators (valid rows)", () => {
  const ctx = { file: "f", line: 1 };
  it("FlagEmbedding row with scores and prompt; neg absent means []", () => {
    expect(validateFlagEmbeddingRow({ query: "q", pos: ["a"], neg: ["b"], pos_scores: [1], neg_scores: [0.2], prompt: "p", extra: 1 }, ctx)).toEqual({
      ok: true,
      value: { query: "q", pos: ["a"], neg: ["b"], posScores: [1], negScores: [0.2], prompt: "p" },
    });
    expect(validateFlagEmbeddingRow({ query: "q", pos: ["a"] }, ctx)).toEqual({ ok: true, value: { query: "q", pos: ["a"], neg: [] } });
  });
  it("mapped row: several negative columns, empty negative cells skipped, group", () => {
    const m: ColumnMapping = { query: "t", positive: "a", negative: ["n1", "n2"], group: "g" };
    expect(validateMappedRow({ t: "q", a: "p", n1: "x", n2: "", g: 7 }, m, ctx)).toEqual({ ok: true, value: { query: "q", pos: ["p"], neg: ["x"], group: "7" } });
    expect(validateMappedRow({ t: "q", a: ["p1", "p2"], n1: ["x", "y"] }, { ...m, group: undefined }, ctx)).toEqual({
      ok: true,
      value: { query: "q", pos: ["p1", "p2"], neg: ["x", "y"] },
    });
  });
  it("BEIR rows accept integer ids and title-only docs", () => {
    expect(validateBeirCorpusRow({ _id: 12, title: "T", text: "" }, ctx)).toEqual({ ok: true, value: { id: "12", title: "T", text: "" } });
    expect(validateQrelRow({ "query-id": "1", "corpus-id": "2", score: "3" }, ctx)).toEqual({ ok: true, value: { queryId: "1", corpusId: "2", score: 3 } });
  });
  it("RAG log → triple: helpful = positive, unclicked rank > 3 = negative, ranks 1–3 ignored", () => {
    const rec = {
      query: "胰岛素用量如何调整?",
      retrieved_docs: [1, 2, 3, 4, 5, 6].map((r) => ({ doc_id: `d${r}`, content: r === 6 ? "doc 2" : `doc ${r}`, rank: r })),
      user_feedback: { helpful_docs: ["d2"] },
    };
    expect(ragLogToTriple(rec, ctx)).toEqual({ ok: true, value: { query: rec.query, pos: ["doc 2"], neg: ["doc 4", "doc 5"] } });
    expect(ragLogToTriple({ ...rec, user_feedback: { helpful_docs: [] } }, ctx)).toEqual({ ok: true, value: null });
    expect(ragLogToTriple({ query: "q", retrieved_docs: [] }, ctx)).toEqual({ ok: true, value: null });
  });
  it("pairs → eval set dedupes identical passages and merges identical queries", () => {
    const set = pairsToEvalSet([
      { query: "q1", pos: ["A"] },
      { query: "q2", pos: ["A\r\n"] },
      { query: "q1", pos: ["B"], neg: ["A"] },
    ]);
    expect(set).toEqual({
      corpus: [
        { id: "d1", text: "A" },
        { id: "d2", text: "B" },
      ],
      queries: [
        { id: "q1", text: "q1" },
        { id: "q2", text: "q2" },
      ],
      qrels: [
        { queryId: "q1", corpusId: "d1", score: 1 },
        { queryId: "q2", corpusId: "d1", score: 1 },
        { queryId: "q1", corpusId: "d2", score: 1 },
      ],
    });
  });
  it("documents: md title from first heading, jsonl content field", async () => {
    const docs = [];
    for await (const d of readDocuments([enc("intro\r\n# Liver care\r\ntext\r\n")], { format: "md", file: "a.md" })) docs.push(d.doc);
    expect(docs).toEqual([{ id: "a.md", title: "Liver care", text: "intro\n# Liver care\ntext" }]);
    const rows = [];
    for await (const d of readDocuments([enc('{"content":"x"}\n{"id":5,"text":"y"}\n')], { format: "jsonl", file: "d.jsonl" })) rows.push(d.doc);
    expect(rows).toEqual([
      { id: "d.jsonl:1", text: "x" },
      { id: "5", text: "y" },
    ]);
    await expect(async () => {
      for await (const _ of readDocuments([enc("\n\n")], { format: "txt", file: "e.txt" })) void _;
    }).rejects.toThrow("e.txt: the document is empty");
  });
});

describe("more contracts", () => {
  it("FlagEmbedding custom layout: positives matched to corpus by text, unknown ones added", () => {
    const b = new EvalSetBuilder();
    expect(b.addDoc("Liver text", { id: "7" })).toBe("7");
    expect(b.addDoc("Other", { id: "7" })).toBe("7_"); // id clash gets a suffix
    b.addQuery("what about the liver?", ["  Liver text  ", "Brand new passage"]);
    expect(b.build().qrels).toEqual([
      { queryId: "q1", corpusId: "7", score: 1 },
      { queryId: "q1", corpusId: "d3", score: 1 },
    ]);
    expect(b.duplicatePassages).toBe(1);
  });
  it("without onIssue the first bad record is thrown as an ImportError", async () => {
    await expect(async () => {
      for await (const _ of readRecords([enc('{"a":1}\n{oops\n')], { format: "jsonl", file: "t.jsonl" })) void _;
    }).rejects.toThrow(/^t\.jsonl:2: invalid JSON/);
  });
  it("csvExportRow", () => {
    expect(csvExportRow(["q", "=cmd|' /C calc'!A0", "a,b"])).toBe(`q,'=cmd|' /C calc'!A0,"a,b"`);
  });
  it("formatIssue shapes", () => {
    expect(formatIssue({ file: "f", line: null, field: null, reason: "r" })).toBe("f: r");
    expect(formatIssue({ file: "f", line: 3, field: null, reason: "r" })).toBe("f:3: r");
    expect(formatIssue({ file: "f", line: 3, field: "pos[0]", reason: "r" })).toBe("f:3: pos[0]: r");
  });
});

describe("real data", () => {
  it("the GB18030 Chinese CSV decodes: 4,535 rows, Chinese text round-trips, maps to pairs and an eval set", async () => {
    const m: ColumnMapping = { query: "title", positive: "answer", group: "department" };
    const pairs = [];
    const issues: ImportIssue[] = [];
    let header: string[] = [];
    for await (const { line, record } of readRecords(ZH, { format: "csv", onHeader: (h) => (header = h) })) {
      const r = validateMappedRow(record, m, { file: "liver-digestive.gb18030.csv", line });
      if (r.ok) pairs.push(r.value);
      else issues.push(...r.issues);
    }
    expect(header).toEqual(["department", "title", "ask", "answer"]);
    expect(pairs.length + new Set(issues.map((i) => i.line)).size).toBe(4535);
    expect(pairs.length).toBeGreaterThan(4400);
    expect(pairs[0]).toMatchObject({ query: "哪家医院能治胃反流", group: "消化科" });
    expect(pairs[0]!.pos[0]).toContain("奥美拉唑");
    // round trip: re-encode the decoded text and decode again
    const round = new TextDecoder("utf-8").decode(enc(pairs[1]!.query));
    expect(round).toBe("轻度脂肪肝怎样医治更好呢");
    const evalSet = pairsToEvalSet(pairs);
    expect(evalSet.qrels.length).toBeGreaterThanOrEqual(evalSet.queries.length);
    expect(evalSet.corpus.length).toBeLessThan(pairs.length); // ~5% duplicate answers deduped
    expect(new Set(evalSet.corpus.map((d) => d.text.trim())).size).toBe(evalSet.corpus.length);
  });

  it("gard-ghr.jsonl reads: 10,819 rows mapped to training pairs grouped by focus", async () => {
    let n = 0;
    let bad = 0;
    let first: unknown;
    for await (const { line, record } of readRecords(EN, { format: "jsonl" })) {
      const r = validateMappedRow(record, { query: "question", positive: "answer", group: "focus" }, { file: "gard-ghr.jsonl", line });
      if (r.ok) {
        n++;
        first ??= r.value;
      } else bad++;
    }
    expect(n + bad).toBe(10819);
    expect(bad).toBe(0);
    expect(first).toMatchObject({ query: "What are the symptoms of ABCD syndrome ?", group: "ABCD syndrome" });
  });
});

