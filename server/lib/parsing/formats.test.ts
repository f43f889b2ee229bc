import { describe, expect, it } from "vitest";
import { MEDQUAD_JSONL as EN, ZH_DIALOGUE_CSV as ZH } from "../../testing/shared-data";
import {
  csvEscapeForExport,
  csvExportRow,
  detectEncoding,
  EvalSetBuilder,
  formatIssue,
  ImportError,
  looksLikeFormula,
  pairsToEvalSet,
  ragLogToTriple,
  readDocuments,
  readLines,
  readRecords,
  validateBeirCorpusRow,
  validateFlagEmbeddingRow,
  validateMappedRow,
  validateQrelRow,
  type ColumnMapping,
  type ImportIssue,
} from "./index";
import { bytes, enc } from "./testing/bytes";

/** Well-formed input: encodings and line endings, the formula rule, valid rows of every layout, the real data. */
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

