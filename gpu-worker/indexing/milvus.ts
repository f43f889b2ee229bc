import { float32Json, float32Text } from "./numbers";
import { createSingleFileWriter } from "./single-file-writer";
import type { IndexLayout, IndexWriter } from "./types";

/**
 * Milvus export: `collection.json` (the Node SDK's createCollection request: fields + index_params) and
 * `rows.json` (Milvus bulk-import JSON: one list of rows; sparse as {token_id: weight}). Milvus has no MaxSim
 * multi-vector field, so ColBERT vectors are not exported here (re-rank with the deployment's /v1/score).
 */
export const MILVUS_ID_MAX_LENGTH = 512;
/** Milvus VarChar's largest max_length (bytes). */
export const MILVUS_TEXT_MAX_BYTES = 65_535;

export interface MilvusField {
  name: string;
  data_type: "VarChar" | "FloatVector" | "SparseFloatVector";
  is_primary_key?: boolean;
  max_length?: number;
  dim?: number;
  description?: string;
}

export interface MilvusCollection {
  collection_name: string;
  description: string;
  enable_dynamic_field: boolean;
  fields: MilvusField[];
  index_params: Array<{ field_name: string; index_type: string; metric_type: string; index_name: string }>;
}

export interface MilvusRow {
  id: string;
  text: string;
  dense: number[];
  sparse?: Record<string, number>;
}

export function milvusCollection(layout: IndexLayout): MilvusCollection {
  const fields: MilvusField[] = [
    { name: "id", data_type: "VarChar", is_primary_key: true, max_length: MILVUS_ID_MAX_LENGTH },
    { name: "text", data_type: "VarChar", max_length: MILVUS_TEXT_MAX_BYTES },
    { name: "dense", data_type: "FloatVector", dim: layout.dim, description: `BGE-M3 dense (${layout.model}), unit length` },
  ];
  const index_params = [{ field_name: "dense", index_type: "AUTOINDEX", metric_type: "IP", index_name: "dense" }];
  if (layout.sparse) {
    fields.push({ name: "sparse", data_type: "SparseFloatVector", description: "BGE-M3 lexical weights, token id → weight" });
    index_params.push({ field_name: "sparse", index_type: "SPARSE_INVERTED_INDEX", metric_type: "IP", index_name: "sparse" });
  }
  return { collection_name: layout.name, description: `M3 Studio index of ${layout.model}`, enable_dynamic_field: false, fields, index_params };
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function cutUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  const buf = Buffer.from(s).subarray(0, max);
  return buf.toString("utf8").replace(/\uFFFD$/, "");
}

export function createMilvusWriter(dir: string, layout: IndexLayout): IndexWriter {
  let cutTexts = 0;
  return createSingleFileWriter(dir, {
    store: "milvus",
    dataFile: "rows.json",
    encode(doc, index) {
      if (Buffer.byteLength(doc.id) > MILVUS_ID_MAX_LENGTH) throw new Error(`document id ${JSON.stringify(doc.id.slice(0, 40))}…: longer than Milvus' ${MILVUS_ID_MAX_LENGTH}-byte primary key`);
      const text = cutUtf8(doc.text, MILVUS_TEXT_MAX_BYTES);
      if (text !== doc.text) cutTexts++;
      let line = `{"id":${JSON.stringify(doc.id)},"text":${JSON.stringify(text)},"dense":${float32Json(doc.dense)}`;
      if (layout.sparse) {
        const entries = [...doc.sparse!].map(([id, w]) => `"${id}":${float32Text(w)}`);
        line += `,"sparse":{${entries.join(",")}}`;
      }
      // Milvus' JSON import takes one list of rows.
      return `${index === 0 ? "[\n" : ",\n"}${line}}`;
    },
    end: (count) => (count === 0 ? "[]\n" : "\n]\n"),
    notes() {
      const notes = cutTexts ? [`${cutTexts} document text(s) cut to Milvus' ${MILVUS_TEXT_MAX_BYTES}-byte VarChar limit`] : [];
      if (layout.colbert) notes.push("ColBERT vectors are not in the Milvus export (no MaxSim multi-vector field); re-rank with /v1/score");
      return notes;
    },
    schemaFiles: () => [["collection.json", JSON.stringify(milvusCollection(layout), null, 2) + "\n"]],
    readme: (notes) => milvusReadme(layout, notes),
  });
}

function milvusReadme(layout: IndexLayout, notes: string[]): string {
  const [wd, ws] = layout.weights;
  return `# Milvus export: ${layout.name}

Encoded with ${layout.model}: dense (${layout.dim} dims, unit length, metric IP)${layout.sparse ? " and sparse (token id → weight, metric IP)" : ""}.
${notes.map((n) => `\n- ${n}`).join("")}

## Load

\`\`\`ts
import { readFileSync } from "node:fs";
import { MilvusClient } from "@zilliz/milvus2-sdk-node";
const client = new MilvusClient({ address: "localhost:19530" });
await client.createCollection(JSON.parse(readFileSync("collection.json", "utf8")));
\`\`\`

Bulk import \`rows.json\` (Milvus' JSON import format, a list of rows): upload it to the bucket of your Milvus' object
storage and start an import job (\`POST /v2/vectordb/jobs/import/create\` with \`{"collectionName": "${layout.name}", "files": [["rows.json"]]}\`),
or for a small corpus insert the rows in batches with \`client.insert({ collection_name: "${layout.name}", data: rows })\`.
Then \`client.loadCollection({ collection_name: "${layout.name}" })\`.

## Query

Encode the query with the same model (\`POST /v1/encode\` with \`"return_sparse": true, "sparse_format": "ids"\`), then:

\`\`\`ts
// dense
await client.search({ collection_name: "${layout.name}", anns_field: "dense", data: [queryDense], limit: 10, metric_type: "IP" });
${layout.sparse ? `// sparse (lexical)
await client.search({ collection_name: "${layout.name}", anns_field: "sparse", data: [querySparseIds], limit: 10, metric_type: "IP" });
// hybrid with the checkpoint's weights (dense ${wd}, sparse ${ws}); Milvus' WeightedRanker normalises each score
// first, so the fused order is close to — not identical with — FlagEmbedding's weighted sum
await client.hybridSearch({
  collection_name: "${layout.name}",
  data: [{ anns_field: "dense", data: [queryDense] }, { anns_field: "sparse", data: [querySparseIds] }],
  rerank: { strategy: "weighted", params: { weights: [${wd}, ${ws}] } },
  limit: 10,
});` : ""}
\`\`\`
`;
}
