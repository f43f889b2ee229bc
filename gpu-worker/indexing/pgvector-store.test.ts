/**
 * A real store: the pgvector export of a MedQuAD corpus encoded with the demo model loads into PGlite with its
 * pgvector extension (0.8, sparsevec included), and the SQL in queries.sql returns the same top 10 for held-out
 * queries (the demo model's test split) as the platform's own dense, sparse and hybrid search.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_HYBRID_WEIGHTS } from "~/server/lib/retrieval/fusion";
import { MEDQUAD_JSONL } from "~/server/testing/shared-data";
import type { M3Encoder } from "../inference/encoder";
import { loadEncoder } from "../inference/load";
import { buildCorpusIndex, searchCorpus, type CorpusIndex } from "../inference/search";
import { vectorLiteral, sparsevecLiteral } from "./pgvector";
import { createIndexWriters } from "./writers";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
const DOCS = 200;
const QUERIES = 30;

let encoder: M3Encoder;
let index: CorpusIndex;
let db: PGlite;
let tmp: string;
let queries: Array<{ id: string; text: string }>;
const vocabSize = (JSON.parse(readFileSync(path.join(DEMO, "config.json"), "utf8")) as { vocab_size: number }).vocab_size;

beforeAll(async () => {
  if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
  // Held-out MedQuAD items (the demo model's test split): answers are the corpus, questions the queries.
  const heldOut = new Set((JSON.parse(readFileSync(path.join(DEMO, "splits.json"), "utf8")) as { test_ids: string[] }).test_ids);
  const seen = new Set<string>();
  const items: Array<{ qid: string; question: string; answer: string }> = [];
  for (const line of readFileSync(MEDQUAD_JSONL, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { qid: string; question: string; answer: string };
    if (!heldOut.has(`en:${r.qid}`) || seen.has(r.answer)) continue;
    seen.add(r.answer);
    items.push(r);
    if (items.length === DOCS) break;
  }
  const docs = items.map((r) => ({ id: `en:${r.qid}`, text: r.answer }));
  queries = items.slice(0, QUERIES).map((r) => ({ id: r.qid, text: r.question }));
  const loaded = await loadEncoder(DEMO, { threads: 1 });
  encoder = loaded.encoder;
  index = await buildCorpusIndex(encoder, docs, { maxLength: loaded.maxLength, sparse: true });

  tmp = mkdtempSync(path.join(os.tmpdir(), "m3-pgvector-"));
  const writers = createIndexWriters(tmp, ["pgvector"], {
    name: "medquad",
    model: "demo-m3",
    dim: encoder.dim,
    vocabSize,
    sparse: true,
    colbert: { dimensions: encoder.dim, format: "float" },
    weights: DEFAULT_HYBRID_WEIGHTS,
    tokenString: (id) => encoder.tokenizer.decode([id]),
  });
  const colbert = await encoder.encode(docs.map((d) => d.text), { maxLength: loaded.maxLength, outputs: ["colbert"] });
  for (const [i, d] of docs.entries()) await writers.add({ ...d, dense: index.dense.subarray(i * encoder.dim, (i + 1) * encoder.dim), sparse: index.sparse![i]!, colbert: colbert.colbert![i]! });
  await writers.finish();

  db = await PGlite.create({ extensions: { vector } });
  const file = (f: string) => readFileSync(path.join(tmp, "pgvector", f));
  await db.exec(file("schema.sql").toString());
  await db.query("COPY medquad FROM '/dev/blob'", [], { blob: new Blob([file("documents.tsv")]) });
  await db.query("COPY medquad_colbert FROM '/dev/blob'", [], { blob: new Blob([file("colbert.tsv")]) });
  await db.exec(file("indexes.sql").toString());
  // HNSW is approximate; with ef_search above the corpus size it visits every row, so the top 10 is exact.
  await db.exec(`SET hnsw.ef_search = ${DOCS * 2}`);
}, 600_000);

afterAll(async () => {
  await db?.close();
  await encoder?.backend.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The statement after the `-- <title>` comment line in queries.sql. */
function query(title: RegExp): string {
  const sql = readFileSync(path.join(tmp, "pgvector", "queries.sql"), "utf8");
  const parts = sql.split(/\n(?=-- )/);
  const part = parts.find((p) => title.test(p.split("\n")[0]!));
  if (!part) throw new Error(`no query ${title} in queries.sql`);
  return part.split("\n").slice(1).join("\n").trim();
}

async function encodeQueries() {
  return encoder.encode(queries.map((q) => q.text), { maxLength: 128, outputs: ["dense", "sparse", "colbert"] });
}

describe("pgvector export in PGlite", () => {
  it("loads every document with its 1-based sparsevec", async () => {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM medquad");
    expect(rows[0]!.n).toBe(DOCS);
    // Token id t is stored at sparsevec index t + 1: the inner product with a one-hot query at t + 1 is the weight.
    const [id, w] = [...index.sparse![0]!][0]!;
    const one = sparsevecLiteral(new Map([[id, 1]]), vocabSize).literal;
    const got = await db.query<{ s: number }>("SELECT -(sparse <#> $1::sparsevec) AS s FROM medquad WHERE id = $2", [one, index.ids[0]]);
    expect(got.rows[0]!.s).toBeCloseTo(w, 6);
  });

  it("dense top 10 from SQL equals the platform's dense search", async () => {
    const q = await encodeQueries();
    const { run } = await searchCorpus(encoder, index, queries, { mode: "dense", k: 10, queryMaxLength: 128 });
    const sql = query(/dense top 10/);
    for (const [i, qq] of queries.entries()) {
      const { rows } = await db.query<{ id: string }>(sql, [vectorLiteral(q.dense.subarray(i * encoder.dim, (i + 1) * encoder.dim))]);
      expect(rows.map((r) => r.id), qq.text).toEqual(run.get(qq.id)!.map((h) => h.docId));
    }
  });

  it("sparse top 10 from SQL equals the platform's lexical search", async () => {
    const q = await encodeQueries();
    const { run } = await searchCorpus(encoder, index, queries, { mode: "sparse", k: 10, queryMaxLength: 128 });
    const sql = query(/sparse \(lexical\) top 10/);
    for (const [i, qq] of queries.entries()) {
      const { rows } = await db.query<{ id: string; score: number }>(sql, [sparsevecLiteral(q.sparse![i]!, vocabSize).literal]);
      // The platform lists only documents sharing a token (score > 0); SQL ranks every row, zeros last.
      const hits = rows.filter((r) => r.score > 0).map((r) => r.id);
      expect(hits, qq.text).toEqual(run.get(qq.id)!.slice(0, 10).map((h) => h.docId));
    }
  });

  it("hybrid (dense + sparse + ColBERT MaxSim, the checkpoint's weights) equals the platform's hybrid search", async () => {
    const q = await encodeQueries();
    const { run } = await searchCorpus(encoder, index, queries, { mode: "hybrid", k: 10, candidates: 100, queryMaxLength: 128, weights: DEFAULT_HYBRID_WEIGHTS });
    const sql = query(/hybrid with the checkpoint's weights/);
    const d = encoder.dim;
    for (const [i, qq] of queries.entries()) {
      const cb = q.colbert![i]!;
      const rowsLit = `{${Array.from({ length: cb.length / d }, (_, r) => `"${vectorLiteral(cb.subarray(r * d, (r + 1) * d))}"`).join(",")}}`;
      const { rows } = await db.query<{ id: string; score: number }>(sql, [vectorLiteral(q.dense.subarray(i * d, (i + 1) * d)), sparsevecLiteral(q.sparse![i]!, vocabSize).literal, rowsLit]);
      const want = run.get(qq.id)!;
      expect(rows.map((r) => r.id), qq.text).toEqual(want.map((h) => h.docId));
      rows.forEach((r, k) => expect(r.score).toBeCloseTo(want[k]!.score, 5));
    }
  });
});
