import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../../db";
import { ImportError } from "../../../lib/parsing";
import { uploadContent, uploadFile, useTempArtifacts } from "../../../testing/datasets";
import { MEDQUAD_JSONL, ZH_DIALOGUE_CSV } from "../../../testing/shared-data";
import { createUser, createWorkspaceWith } from "../../../testing/factories";
import { listRecords } from "../datasets";
import { runImport } from "./run-import";

const ZH_CSV = ZH_DIALOGUE_CSV;
const MEDQUAD = MEDQUAD_JSONL;

let workspaceId: string;
let userId: string;
const hooks = { progress: async () => undefined, signal: new AbortController().signal };

const upload = (file: string, name?: string) => uploadFile(workspaceId, userId, file, name);
const uploadText = (name: string, content: string | Buffer) => uploadContent(workspaceId, userId, name, content);

async function importError(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ImportError);
  return (error as ImportError).message.split("\n");
}

beforeAll(async () => {
  await useTempArtifacts();
  userId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId, role: "OWNER" }])).id;
});

describe("dataset import (real shared data)", () => {
  it("imports the GB18030 Chinese CSV as training pairs through a column mapping", async () => {
    const file = await upload(ZH_CSV);
    const result = await runImport({
      workspaceId, userId, datasetName: "liver-zh", kind: "TRAINING", pairsAsEvaluation: false,
      files: [{ uploadId: file.id, role: "pairs", mapping: { query: "title", positive: "answer", group: "answer" } }],
    }, hooks);
    expect(result.rows).toBe(4535);
    const page = await listRecords({ workspaceId, versionId: result.versionId, offset: 0, limit: 1 });
    expect(page.rows[0]!.data).toMatchObject({ query: "哪家医院能治胃反流", neg: [] });
    expect((page.rows[0]!.data as { pos: string[] }).pos[0]).toContain("奥美拉唑");
    const search = await listRecords({ workspaceId, versionId: result.versionId, search: "胃反流", offset: 0, limit: 50 });
    expect(search.total).toBeGreaterThan(0);
  });

  it("imports the same CSV as an evaluation set: duplicate answers become one document", async () => {
    const file = await upload(ZH_CSV);
    const result = await runImport({
      workspaceId, userId, datasetName: "liver-zh-eval", kind: "EVALUATION", pairsAsEvaluation: true,
      files: [{ uploadId: file.id, role: "pairs", mapping: { query: "title", positive: "answer" } }],
    }, hooks);
    const counts = result.counts as Record<string, number>;
    expect(counts.doc).toBeLessThan(4535);
    expect(counts.doc! + counts.duplicatePassagesMerged!).toBe(4535);
    expect(counts.qrel).toBeGreaterThanOrEqual(counts.query!);
  });

  it("imports MedQuAD JSONL with focus as the split group", async () => {
    const file = await upload(MEDQUAD);
    const result = await runImport({
      workspaceId, userId, datasetName: "medquad", kind: "TRAINING", pairsAsEvaluation: false,
      files: [{ uploadId: file.id, role: "pairs", mapping: { query: "question", positive: "answer", group: "focus" } }],
    }, hooks);
    expect(result.rows).toBe(10819);
    const groups = await db.datasetRecord.findMany({ where: { versionId: result.versionId }, distinct: ["groupKey"], select: { groupKey: true } });
    expect(groups.length).toBeGreaterThan(100);
    expect(groups.length).toBeLessThan(10819);
  }, 120_000);
});

describe("all-or-nothing on bad input", () => {
  async function expectNothingWritten(name: string) {
    expect(await db.dataset.count({ where: { workspaceId, name } })).toBe(0);
  }

  it("a bad row anywhere refuses the whole file with file:line: field: reason", async () => {
    const lines = [
      JSON.stringify({ query: "q1", pos: ["p1"], neg: [] }),
      JSON.stringify({ query: "", pos: ["p2"] }),
      "{not json",
      JSON.stringify({ query: "q4", pos: "p4" }),
      JSON.stringify({ query: "q5", pos: ["p5"], neg: [] }),
    ];
    const file = await uploadText("train.jsonl", lines.join("\n"));
    const messages = await importError(runImport({ workspaceId, userId, datasetName: "bad-train", kind: "TRAINING", pairsAsEvaluation: false, files: [{ uploadId: file.id, role: "pairs" }] }, hooks));
    expect(messages[0]).toMatch(/^train\.jsonl:2: query: /);
    expect(messages.some((m) => m.startsWith("train.jsonl:3: "))).toBe(true);
    expect(messages.some((m) => /^train\.jsonl:4: pos: /.test(m))).toBe(true);
    await expectNothingWritten("bad-train");
  });

  it("qrels naming unknown ids are refused, naming the id", async () => {
    const corpus = await uploadText("corpus.jsonl", [JSON.stringify({ _id: "d1", text: "doc one" })].join("\n"));
    const queries = await uploadText("queries.jsonl", [JSON.stringify({ _id: "q1", text: "query one" })].join("\n"));
    const qrels = await uploadText("qrels.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td404\t2\nq9\td1\t1\n");
    const messages = await importError(runImport({
      workspaceId, userId, datasetName: "bad-eval", kind: "EVALUATION", pairsAsEvaluation: false,
      files: [{ uploadId: corpus.id, role: "corpus" }, { uploadId: queries.id, role: "queries" }, { uploadId: qrels.id, role: "qrels" }],
    }, hooks));
    expect(messages).toContain('qrels.tsv:3: corpus-id: unknown corpus id "d404" (not in the corpus file)');
    expect(messages).toContain('qrels.tsv:4: query-id: unknown query id "q9" (not in the queries file)');
    await expectNothingWritten("bad-eval");
  });

  it("a CSV formula cell and mismatched columns are refused with line and field", async () => {
    const file = await uploadText("pairs.csv", "query,positive\nwhat is bm25,a ranking function\n=HYPERLINK(\"http://x\"),passage\nonly one column\n");
    const messages = await importError(runImport({
      workspaceId, userId, datasetName: "bad-csv", kind: "TRAINING", pairsAsEvaluation: false,
      files: [{ uploadId: file.id, role: "pairs", mapping: { query: "query", positive: "positive" } }],
    }, hooks));
    expect(messages.some((m) => m.startsWith("pairs.csv:3: query: "))).toBe(true);
    expect(messages.some((m) => m.startsWith("pairs.csv:4: "))).toBe(true);
    await expectNothingWritten("bad-csv");
  });

  it("a valid BEIR set imports with graded relevance", async () => {
    const corpus = await uploadText("c.jsonl", [JSON.stringify({ _id: "d1", title: "BM25", text: "a ranking function" }), JSON.stringify({ _id: "d2", text: "dense retrieval" })].join("\n"));
    const queries = await uploadText("q.jsonl", JSON.stringify({ _id: "q1", text: "what is bm25" }));
    const qrels = await uploadText("r.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n");
    const result = await runImport({
      workspaceId, userId, datasetName: "beir-ok", kind: "EVALUATION", pairsAsEvaluation: false,
      files: [{ uploadId: corpus.id, role: "corpus" }, { uploadId: queries.id, role: "queries" }, { uploadId: qrels.id, role: "qrels" }],
    }, hooks);
    expect(result.counts).toMatchObject({ doc: 2, query: 1, qrel: 2 });
    const rel = await listRecords({ workspaceId, versionId: result.versionId, type: "qrel", offset: 0, limit: 10 });
    expect(rel.rows.map((r) => (r.data as { relevance: number }).relevance)).toEqual([2, 0]);
  });
});
