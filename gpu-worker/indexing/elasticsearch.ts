import { colbertRowsJson, float32Json, float32Text } from "./numbers";
import { createSingleFileWriter } from "./single-file-writer";
import type { IndexLayout, IndexWriter } from "./types";

/**
 * Elasticsearch / OpenSearch export: `mapping.elasticsearch.json` (dense_vector + sparse_vector, and rank_vectors
 * for ColBERT), `mapping.opensearch.json` (knn_vector + rank_features; OpenSearch has no multi-vector field, so
 * ColBERT stays in _source only) and one `bulk.ndjson` both accept.
 *
 * Sparse keys are token strings (BGEM3FlagModel.convert_id_to_token). Both stores take only strictly positive
 * normal floats as feature weights and read a dot in a field name as an object path, so: weights below float32's
 * smallest normal number are dropped, "." in a token becomes "․" (U+2024, apply the same to query tokens), an id
 * that decodes to "" is dropped, and two ids decoding to the same key keep the larger weight.
 */
/** float32's smallest positive normal number: Lucene refuses smaller feature values. */
export const MIN_FEATURE_WEIGHT = 1.1754943508222875e-38;

export function featureKey(token: string): string {
  return token.replaceAll(".", "\u2024");
}

/** Token string → weight with the rules above. */
export function featureWeights(sparse: Map<number, number>, tokenString: (id: number) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, w] of sparse) {
    if (!(w >= MIN_FEATURE_WEIGHT)) continue;
    const key = featureKey(tokenString(id));
    if (key === "") continue;
    if (w > (out.get(key) ?? 0)) out.set(key, w);
  }
  return out;
}

type Prop = Record<string, unknown> & { type: string };
type EsProperty =
  | { type: "text" }
  | { type: "dense_vector"; dims: number; index: boolean; similarity: "dot_product" }
  | { type: "sparse_vector" }
  | { type: "rank_vectors"; dims: number; element_type: "byte" | "float" };

export function elasticsearchMapping(layout: IndexLayout): { mappings: { dynamic: "strict"; properties: Record<string, EsProperty> } } {
  const properties: Record<string, EsProperty> = {
    text: { type: "text" },
    dense: { type: "dense_vector", dims: layout.dim, index: true, similarity: "dot_product" },
  };
  if (layout.sparse) properties.sparse = { type: "sparse_vector" };
  if (layout.colbert) properties.colbert = { type: "rank_vectors", dims: layout.colbert.dimensions, element_type: layout.colbert.format === "int8" ? "byte" : "float" };
  return { mappings: { dynamic: "strict", properties } };
}

export function opensearchMapping(layout: IndexLayout): { settings: { index: { knn: boolean } }; mappings: { dynamic: false; properties: Record<string, Prop> } } {
  const properties: Record<string, Prop> = {
    text: { type: "text" },
    dense: { type: "knn_vector", dimension: layout.dim, method: { name: "hnsw", engine: "faiss", space_type: "innerproduct" } },
  };
  if (layout.sparse) properties.sparse = { type: "rank_features" };
  return { settings: { index: { knn: true } }, mappings: { dynamic: false, properties } };
}

export function createElasticsearchWriter(dir: string, layout: IndexLayout): IndexWriter {
  let dropped = 0;
  return createSingleFileWriter(dir, {
    store: "elasticsearch",
    dataFile: "bulk.ndjson",
    encode(doc) {
      let source = `{"text":${JSON.stringify(doc.text)},"dense":${float32Json(doc.dense)}`;
      if (layout.sparse) {
        const features = featureWeights(doc.sparse!, layout.tokenString);
        dropped += doc.sparse!.size - features.size;
        source += `,"sparse":{${[...features].map(([k, w]) => `${JSON.stringify(k)}:${float32Text(w)}`).join(",")}}`;
      }
      if (layout.colbert) source += `,"colbert":${colbertRowsJson(doc.colbert!, layout.colbert)}`;
      return `{"index":{"_index":"${layout.name}","_id":${JSON.stringify(doc.id)}}}\n${source}}\n`;
    },
    notes: () => (dropped ? [`${dropped} sparse entr(ies) merged or dropped (same token string, empty string, or weight below ${MIN_FEATURE_WEIGHT})`] : []),
    schemaFiles: () => [
      ["mapping.elasticsearch.json", JSON.stringify(elasticsearchMapping(layout), null, 2) + "\n"],
      ["mapping.opensearch.json", JSON.stringify(opensearchMapping(layout), null, 2) + "\n"],
    ],
    readme: (notes) => elasticsearchReadme(layout, notes),
  });
}

function elasticsearchReadme(layout: IndexLayout, notes: string[]): string {
  const [wd, ws, wc] = layout.weights;
  const n = layout.name;
  return `# Elasticsearch / OpenSearch export: ${n}

Encoded with ${layout.model}: \`dense\` (${layout.dim} dims, unit length)${layout.sparse ? ", `sparse` (token string → weight; \".\" in a token is written \"․\", U+2024 — do the same to query tokens)" : ""}${layout.colbert ? `, \`colbert\` (${layout.colbert.dimensions} dims per token${layout.colbert.format === "int8" ? ", int8" : ""}; Elasticsearch \`rank_vectors\` only)` : ""}.
Document ids are the \`_id\`s.${notes.map((x) => `\n\n- ${x}`).join("")}

## Load

\`\`\`bash
# Elasticsearch 9 (rank_vectors needs 8.18+ / 9.0)
curl -X PUT "$ES/${n}" -H 'Content-Type: application/json' --data @mapping.elasticsearch.json
# OpenSearch 2.x instead
curl -X PUT "$OS/${n}" -H 'Content-Type: application/json' --data @mapping.opensearch.json
# bulk.ndjson works for both: send it in pieces of an even number of lines (action + source)
split -l 2000 bulk.ndjson part_
for f in part_*; do curl -X POST "$ES/_bulk" -H 'Content-Type: application/x-ndjson' --data-binary @"$f"; done
\`\`\`

## Query

Encode the query with the same model (\`POST /v1/encode\` with \`"return_sparse": true, "sparse_format": "tokens"\`${layout.colbert ? `, \`"return_colbert": true, "colbert_dimensions": ${layout.colbert.dimensions}\`` : ""}).

\`\`\`jsonc
// Elasticsearch: hybrid with the checkpoint's weights (dense ${wd}, sparse ${ws}) — linear retriever
POST /${n}/_search
{
  "retriever": { "linear": { "retrievers": [
    { "retriever": { "knn": { "field": "dense", "query_vector": QUERY_DENSE, "k": 100, "num_candidates": 200 } }, "weight": ${wd} }${layout.sparse ? `,
    { "retriever": { "standard": { "query": { "sparse_vector": { "field": "sparse", "query_vector": QUERY_TOKENS } } } }, "weight": ${ws} }` : ""}
  ] } },
  "size": 10${layout.colbert ? `,
  // ColBERT (weight ${wc}) as a re-ranking of the top 100
  "rescore": { "window_size": 100, "query": { "rescore_query": { "script_score": { "query": { "match_all": {} },
    "script": { "source": "maxSimDotProduct(params.q, 'colbert')", "params": { "q": QUERY_COLBERT_ROWS } } } } } }` : ""}
}

// OpenSearch: dense
POST /${n}/_search
{ "size": 10, "query": { "knn": { "dense": { "vector": QUERY_DENSE, "k": 10 } } } }
${layout.sparse ? `// OpenSearch: sparse
{ "size": 10, "query": { "neural_sparse": { "sparse": { "query_tokens": QUERY_TOKENS } } } }
// OpenSearch hybrid: a search pipeline with a normalization-processor, weights [${wd}, ${ws}], and a "hybrid" query of both` : ""}
\`\`\`
`;
}
