/**
 * `m3 index` on a local corpus file and the demo model: the same engine as the job, into an output folder; bad rows
 * and bad flags fail with what and where before the model is loaded; an interrupted run resumes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDQUAD_JSONL } from "~/server/testing/shared-data";
import { indexCommand } from "./index-command";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
let tmp: string;
let corpus: string;
const rows = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").slice(0, 21).map((l) => JSON.parse(l) as { qid: string; question: string; answer: string });

beforeAll(() => {
  if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
  tmp = mkdtempSync(path.join(os.tmpdir(), "m3-index-cli-"));
  corpus = path.join(tmp, "MedQuAD corpus.jsonl");
  // BEIR corpus rows; a title is joined to the text the way the import stores it.
  writeFileSync(corpus, rows.map((r) => JSON.stringify({ _id: r.qid, title: r.question, text: r.answer })).join("\n") + "\n");
}, 600_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const quiet = { log: () => {} };

describe("m3 index", () => {
  it("writes every store's files for a corpus file; the name comes from the file name", async () => {
    const out = path.join(tmp, "all");
    const m = await indexCommand(["--model", DEMO, "--corpus", corpus, "--output", out, "--colbert-dimensions", "16", "--batch-size", "8", "--threads", "1"], quiet);
    expect(m).toMatchObject({ name: "medquad_corpus", documents: 21, totalBatches: 3, colbert: { dimensions: 16, format: "float" }, sparse: true });
    expect(m.stores.map((s) => s.store)).toEqual(["milvus", "qdrant", "elasticsearch", "pgvector"]);
    for (const s of m.stores) for (const f of s.files) expect(existsSync(path.join(out, s.store, f)), `${s.store}/${f}`).toBe(true);
    const tsv = readFileSync(path.join(out, "pgvector/documents.tsv"), "utf8").trim().split("\n");
    expect(tsv).toHaveLength(21);
    const first = tsv[0]!.split("\t");
    expect(first[0]).toBe(rows[0]!.qid);
    expect(first[1]).toBe(`${rows[0]!.question}\\n${rows[0]!.answer.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n")}`);
    const point = JSON.parse(readFileSync(path.join(out, "qdrant/points.jsonl"), "utf8").split("\n")[0]!) as { vector: { colbert: number[][] } };
    expect(point.vector.colbert[0]).toHaveLength(16);
  }, 600_000);

  it("--stores and --no-sparse choose what is written", async () => {
    const out = path.join(tmp, "dense-only");
    const m = await indexCommand(["--model", DEMO, "--corpus", corpus, "--output", out, "--stores", "qdrant", "--no-sparse", "--name", "dense_only", "--threads", "1"], quiet);
    expect(m.stores.map((s) => s.store)).toEqual(["qdrant"]);
    expect(existsSync(path.join(out, "pgvector"))).toBe(false);
    const point = JSON.parse(readFileSync(path.join(out, "qdrant/points.jsonl"), "utf8").split("\n")[0]!) as { vector: Record<string, unknown> };
    expect(Object.keys(point.vector)).toEqual(["dense"]);
  }, 600_000);

  it("an aborted run resumes after its last written batch and ends with the same files", async () => {
    const args = (out: string) => ["--model", DEMO, "--corpus", corpus, "--output", out, "--stores", "pgvector", "--batch-size", "4", "--threads", "1"];
    const whole = path.join(tmp, "whole");
    await indexCommand(args(whole), quiet);
    const resumed = path.join(tmp, "resumed");
    const stop = new AbortController();
    const lines: string[] = [];
    // Deterministic: abort as soon as the second batch's progress line is out (the next batch is never started).
    const log = (l: string) => {
      lines.push(l);
      if (l.endsWith("encoded 8 of 21 documents")) stop.abort(new Error("stopped"));
    };
    await expect(indexCommand(args(resumed), { signal: stop.signal, log })).rejects.toThrow("stopped");
    const again: string[] = [];
    const m = await indexCommand(args(resumed), { log: (l) => void again.push(l) });
    expect(again[0]).toMatch(/resuming after batch 2 of 6$/);
    expect(m.encodedBatches).toBe(4);
    for (const f of m.stores[0]!.files) expect(readFileSync(path.join(resumed, "pgvector", f)).equals(readFileSync(path.join(whole, "pgvector", f))), f).toBe(true);
  }, 600_000);

  it("bad rows are listed by file and line before the model is loaded; bad flags name the flag", async () => {
    const bad = path.join(tmp, "bad.jsonl");
    writeFileSync(bad, [JSON.stringify({ _id: "a", text: "fine" }), "{not json", JSON.stringify({ _id: "c" })].join("\n") + "\n");
    const err = await indexCommand(["--model", DEMO, "--corpus", bad, "--output", path.join(tmp, "x")], quiet).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/2 bad row/);
    expect((err as Error).message).toContain(`${bad}:2:`);
    expect((err as Error).message).toContain(`${bad}:3:`);
    await expect(indexCommand(["--model", DEMO, "--corpus", corpus, "--output", tmp, "--stores", "pinecone"], quiet)).rejects.toThrow('--stores: unknown store "pinecone"');
    await expect(indexCommand(["--model", DEMO, "--corpus", corpus, "--output", tmp, "--colbert-format", "fp8"], quiet)).rejects.toThrow("--colbert-format");
    await expect(indexCommand(["--model", DEMO, "--corpus", corpus, "--output", tmp, "--name", "Bad-Name"], quiet)).rejects.toThrow("--name");
    await expect(indexCommand(["--corpus", corpus], quiet)).rejects.toThrow("usage: m3 index");
  }, 600_000);

  it("refuses a corpus with a duplicate document id in one error naming the file, the line and the id, before encoding", async () => {
    const dup = path.join(tmp, "dup.jsonl");
    const docs = [{ _id: "a", text: "one" }, { _id: "b", text: "two" }, { _id: "c", text: "three" }, { _id: "b", text: "four" }];
    writeFileSync(dup, docs.map((d) => JSON.stringify(d)).join("\n") + "\n");
    const out = path.join(tmp, "dup-out");
    const err = (await indexCommand(["--model", DEMO, "--corpus", dup, "--output", out], quiet).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(`the corpus has 1 bad row(s):\n${dup}:4: _id: duplicate corpus id "b" (first at ${dup}:2)`);
    expect(existsSync(out)).toBe(false);
    // The same for CSV, where the line counts the header; a bad row and a duplicate are listed in file order.
    const csv = path.join(tmp, "dup.csv");
    writeFileSync(csv, "_id,text\nx,first\ny,\nx,again\n");
    const csvErr = (await indexCommand(["--model", DEMO, "--corpus", csv, "--output", out], quiet).catch((e: Error) => e)) as Error;
    const lines = csvErr.message.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("the corpus has 2 bad row(s):");
    expect(lines[1]!.startsWith(`${csv}:3: text: `), lines[1]).toBe(true);
    expect(lines[2]).toBe(`${csv}:4: _id: duplicate corpus id "x" (first at ${csv}:2)`);
  }, 600_000);

  it("is registered in m3: prints the manifest as JSON", () => {
    const out = path.join(tmp, "via-m3");
    const r = spawnSync(TSX, [path.join(import.meta.dirname, "m3.ts"), "index", "--model", DEMO, "--corpus", corpus, "--output", out, "--stores", "milvus", "--threads", "1"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { documents: number }).documents).toBe(21);
    expect(r.stderr).toContain("100% indexed 21 documents");
  }, 600_000);
});
