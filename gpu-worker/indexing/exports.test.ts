/**
 * Index exports per store on a small synthetic corpus: file shapes, ids vs token strings, Qdrant's {indices, values},
 * 1-based sparsevec indices, strictly positive Elasticsearch weights, the 16,000 non-zero limit, atomic files.
 * The schema builders are type-checked against the official clients' own request types (tsc runs over this file);
 * Milvus' sparse rows go through the Milvus SDK's own sparse-format detector.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { estypes } from "@elastic/elasticsearch";
import type { Schemas as QdrantSchemas } from "@qdrant/js-client-rest";
import { getSparseFloatVectorType, type CreateColWithSchemaAndIndexParamsReq, type RowData } from "@zilliz/milvus2-sdk-node";
import { afterEach, describe, expect, it } from "vitest";
import { elasticsearchMapping, featureKey, MIN_FEATURE_WEIGHT, opensearchMapping } from "./elasticsearch";
import { milvusCollection } from "./milvus";
import { sparsevecLiteral, SPARSEVEC_MAX_NONZEROS, copyField } from "./pgvector";
import { qdrantCollection, qdrantPointId } from "./qdrant";
import type { IndexedDocument, IndexLayout } from "./types";
import { createIndexWriters } from "./writers";

const VOCAB: Record<number, string> = { 5: "liver", 6: "▁liver", 7: "U.S", 8: "", 9: "pain", 10: "tiny" };
const tokenString = (id: number) => VOCAB[id] ?? `t${id}`;
const layout = (over: Partial<IndexLayout> = {}): IndexLayout => ({
  name: "clinic_docs",
  model: "demo-m3",
  dim: 4,
  vocabSize: 250_002,
  sparse: true,
  colbert: { dimensions: 2, format: "float" },
  weights: [0.4, 0.2, 0.4],
  tokenString,
  ...over,
});
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};
const DOCS: IndexedDocument[] = [
  // id 0 and id 250001 test both ends of the 1-based sparsevec range
  { id: "d1", text: "Liver pain\tafter meals\nline two", dense: unit([1, 2, 3, 4]), sparse: new Map([[9, 0.5], [0, 0.25], [5, 0.1], [6, 0.3], [250_001, 0.05]]), colbert: Float32Array.from([0.6, 0.8, 1, 0]) },
  { id: "doc \"two\"", text: "U.S hepatitis", dense: unit([4, 3, 2, 1]), sparse: new Map([[7, 0.7], [8, 0.2], [10, 1e-39]]), colbert: Float32Array.from([0, 1]) },
];

let dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "m3-index-export-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

async function exportAll(l: IndexLayout, docs = DOCS) {
  const dir = tmp();
  const w = createIndexWriters(dir, ["milvus", "qdrant", "elasticsearch", "pgvector"], l);
  for (const d of docs) await w.add(d);
  const stores = await w.finish();
  return { dir, stores, read: (store: string, file: string) => readFileSync(path.join(dir, store, file), "utf8") };
}

describe("index exports", () => {
  it("the schema builders fit the official clients' request types", () => {
    // Compile-time checks (tsc): each builder's result is assignable to the client's own type.
    const milvus: CreateColWithSchemaAndIndexParamsReq = { ...milvusCollection(layout()), index_params: milvusCollection(layout()).index_params };
    const qdrant: QdrantSchemas["CreateCollection"] = qdrantCollection(layout({ colbert: { dimensions: 2, format: "int8" } }));
    const es: estypes.IndicesCreateRequest = { index: "clinic_docs", ...elasticsearchMapping(layout()) };
    expect(milvus.fields.map((f) => [f.name, f.data_type])).toEqual([["id", "VarChar"], ["text", "VarChar"], ["dense", "FloatVector"], ["sparse", "SparseFloatVector"]]);
    expect(qdrant.vectors).toMatchObject({ dense: { size: 4, distance: "Cosine" }, colbert: { size: 2, multivector_config: { comparator: "max_sim" }, quantization_config: { scalar: { type: "int8" } } } });
    expect(qdrant.sparse_vectors).toEqual({ sparse: {} });
    expect(es.mappings?.properties).toMatchObject({ dense: { type: "dense_vector", dims: 4 }, sparse: { type: "sparse_vector" }, colbert: { type: "rank_vectors", dims: 2, element_type: "float" } });
    expect(opensearchMapping(layout()).mappings.properties).toMatchObject({ dense: { type: "knn_vector", dimension: 4 }, sparse: { type: "rank_features" } });
  });

  it("Milvus: collection.json + rows.json with sparse as {token_id: weight}", async () => {
    const { read, stores } = await exportAll(layout());
    expect(JSON.parse(read("milvus", "collection.json"))).toEqual(milvusCollection(layout()));
    const rows = JSON.parse(read("milvus", "rows.json")) as RowData[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: "d1", text: DOCS[0]!.text });
    expect(rows[0]!.sparse).toEqual({ "0": 0.25, "5": 0.1, "6": 0.3, "9": 0.5, "250001": 0.05 });
    for (const r of rows) expect(getSparseFloatVectorType(r.sparse as Record<string, number>)).toBe("dict");
    expect((rows[0]!.dense as number[]).map((x) => Math.fround(x))).toEqual(Array.from(DOCS[0]!.dense));
    expect(rows[0]!.colbert).toBeUndefined();
    expect(stores.find((s) => s.store === "milvus")!.notes.join()).toMatch(/ColBERT vectors are not in the Milvus export/);
  });

  it("Qdrant: points.jsonl with named dense / sparse {indices, values} / ColBERT multivector", async () => {
    const { read } = await exportAll(layout());
    expect(JSON.parse(read("qdrant", "collection.json"))).toEqual(qdrantCollection(layout()));
    const points = read("qdrant", "points.jsonl").trim().split("\n").map((l) => JSON.parse(l) as QdrantSchemas["PointStruct"]);
    expect(points).toHaveLength(2);
    expect(points[0]!.id).toBe(qdrantPointId("d1"));
    expect(String(points[0]!.id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(points[1]!.payload).toEqual({ doc_id: 'doc "two"', text: "U.S hepatitis" });
    const v = points[0]!.vector as Record<string, any>;
    expect(v.sparse).toEqual({ indices: [0, 5, 6, 9, 250_001], values: [0.25, 0.1, 0.3, 0.5, 0.05] });
    expect(v.colbert).toEqual([[0.6, 0.8], [1, 0]]);
    expect(v.dense).toHaveLength(4);
  });

  it("Qdrant / Elasticsearch int8 ColBERT: integer rows, the largest component at ±127", async () => {
    const { read } = await exportAll(layout({ colbert: { dimensions: 2, format: "int8" } }));
    const p = JSON.parse(read("qdrant", "points.jsonl").split("\n")[0]!);
    expect(p.vector.colbert).toEqual([[95, 127], [127, 0]]);
    const src = JSON.parse(read("elasticsearch", "bulk.ndjson").split("\n")[1]!);
    expect(src.colbert).toEqual([[95, 127], [127, 0]]);
    expect(JSON.parse(read("elasticsearch", "mapping.elasticsearch.json")).mappings.properties.colbert.element_type).toBe("byte");
  });

  it("Elasticsearch/OpenSearch: _bulk NDJSON with token-string keys and strictly positive weights", async () => {
    const { read, stores } = await exportAll(layout());
    const lines = read("elasticsearch", "bulk.ndjson").trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    const actions = [lines[0], lines[2]].map((l) => JSON.parse(l!) as estypes.BulkOperationContainer);
    expect(actions.map((x) => x?.index)).toEqual([{ _index: "clinic_docs", _id: "d1" }, { _index: "clinic_docs", _id: 'doc "two"' }]);
    const a = JSON.parse(lines[1]!);
    const b = JSON.parse(lines[3]!);
    // "liver" and "▁liver" are different strings; id 0 decodes to t0 here
    expect(a.sparse).toEqual({ pain: 0.5, t0: 0.25, liver: 0.1, "▁liver": 0.3, t250001: 0.05 });
    // the dot is replaced, the empty string and the sub-normal weight dropped
    expect(b.sparse).toEqual({ [featureKey("U.S")]: 0.7 });
    expect(Object.keys(b.sparse)[0]).toBe("U\u2024S");
    for (const s of [a, b]) for (const w of Object.values(s.sparse as Record<string, number>)) expect(w).toBeGreaterThanOrEqual(MIN_FEATURE_WEIGHT);
    expect(stores.find((s) => s.store === "elasticsearch")!.notes.join()).toMatch(/2 sparse entr/);
    expect(JSON.parse(read("elasticsearch", "mapping.opensearch.json"))).toEqual(opensearchMapping(layout()));
  });

  it("pgvector: COPY rows with vector and 1-based sparsevec literals, escaped text", async () => {
    const { read } = await exportAll(layout());
    const rows = read("pgvector", "documents.tsv").trimEnd().split("\n").map((l) => l.split("\t"));
    expect(rows[0]![0]).toBe("d1");
    expect(rows[0]![1]).toBe("Liver pain\\tafter meals\\nline two");
    expect(rows[0]![2]).toMatch(/^\[[-0-9.e,]+\]$/);
    expect(rows[0]![3]).toBe("{1:0.25,6:0.1,7:0.3,10:0.5,250002:0.05}/250002");
    expect(read("pgvector", "schema.sql")).toContain("sparse sparsevec(250002) NOT NULL");
    expect(read("pgvector", "colbert.tsv").split("\n")[0]).toBe("d1\t0\t[0.6,0.8]");
    expect(read("pgvector", "indexes.sql")).toMatch(/^CREATE INDEX clinic_docs_sparse_hnsw/m);
    expect(copyField("a\\b")).toBe("a\\\\b");
  });

  it("pgvector: beyond 16,000 non-zeros the largest weights are kept and the export says so", async () => {
    const many = new Map(Array.from({ length: SPARSEVEC_MAX_NONZEROS + 5 }, (_, i) => [i, (i + 1) / 100_000]));
    const sv = sparsevecLiteral(many, 250_002);
    expect(sv).toMatchObject({ trimmed: true, nonzeros: SPARSEVEC_MAX_NONZEROS });
    expect(sv.literal.startsWith("{6:")).toBe(true); // ids 0–4 (the five smallest weights) dropped; id 5 → index 6
    const { read, stores } = await exportAll(layout({ colbert: null }), [{ ...DOCS[0]!, sparse: many, colbert: undefined }]);
    const notes = stores.find((s) => s.store === "pgvector")!.notes.join("\n");
    expect(notes).toMatch(/1 document\(s\) had more than 16000 sparse non-zeros; each kept its 16000 largest weights/);
    expect(read("pgvector", "indexes.sql")).toMatch(/^-- CREATE INDEX clinic_docs_sparse_hnsw/m);
    expect(read("pgvector", "README.md")).toContain("16000 largest weights");
    expect(() => sparsevecLiteral(new Map([[250_002, 1]]), 250_002)).toThrow(/token id 250002 is outside the vocabulary/);
  });

  it("writes atomically: nothing under the final names until finish, no temp files after abort", async () => {
    const dir = tmp();
    const w = createIndexWriters(dir, ["qdrant", "pgvector"], layout());
    await w.add(DOCS[0]!);
    expect(existsSync(path.join(dir, "qdrant", "points.jsonl"))).toBe(false);
    await w.abort();
    expect(readdirSync(path.join(dir, "qdrant"))).toEqual([]);
    expect(readdirSync(path.join(dir, "pgvector"))).toEqual([]);
  });

  it("refuses bad names and mismatched vectors with what and where", async () => {
    expect(() => createIndexWriters(tmp(), ["qdrant"], layout({ name: "Clinic-Docs" }))).toThrow(/index name "Clinic-Docs"/);
    const w = createIndexWriters(tmp(), ["qdrant"], layout());
    await expect(w.add({ ...DOCS[0]!, dense: new Float32Array(3) })).rejects.toThrow(/document "d1": dense vector has 3 dims, the index 4/);
    await w.abort();
  });

  it("every README names the load steps and the hybrid query with the weights", async () => {
    const { read } = await exportAll(layout({ weights: [0.5, 0.3, 0.2] }));
    for (const store of ["milvus", "qdrant", "elasticsearch", "pgvector"]) expect(read(store, "README.md")).toMatch(/## Load[\s\S]*## Query/);
    expect(read("pgvector", "queries.sql")).toContain("(0.5 * -(d.dense <#> $1::vector) + 0.3 * -(d.sparse <#> $2::sparsevec) + 0.2 *");
    expect(read("qdrant", "README.md")).toContain('{ "mult": [0.5, "$score[0]"] }, { "mult": [0.3, "$score[1]"] }');
    expect(read("elasticsearch", "README.md")).toContain('"weight": 0.3');
    expect(read("milvus", "README.md")).toContain("weights: [0.5, 0.3]");
  });
});
