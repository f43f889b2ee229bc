import { createHash } from "node:crypto";
import { colbertRowsJson, float32Json } from "./numbers";
import { createSingleFileWriter } from "./single-file-writer";
import type { IndexLayout, IndexWriter } from "./types";
import { sparseIndicesValues } from "./vector-formats";

/**
 * Qdrant export: `collection.json` (the body of PUT /collections/{name}: named vectors `dense`, `colbert` as a
 * MAX_SIM multivector, sparse vector `sparse`) and `points.jsonl` (one point per line; sparse as {indices, values}).
 * Point ids must be integers or UUIDs: each document gets a UUID derived from its id (the id itself is in the
 * payload as doc_id). int8 ColBERT: the integer vectors are written (cosine ignores the per-vector scale) and the
 * collection asks Qdrant to store them as int8 (scalar quantization).
 */
export interface QdrantCollection {
  vectors: Record<string, { size: number; distance: "Cosine"; multivector_config?: { comparator: "max_sim" }; hnsw_config?: { m: number }; quantization_config?: { scalar: { type: "int8"; always_ram: boolean } } }>;
  sparse_vectors?: Record<string, Record<string, never>>;
}

export function qdrantCollection(layout: IndexLayout): QdrantCollection {
  const vectors: QdrantCollection["vectors"] = { dense: { size: layout.dim, distance: "Cosine" } };
  if (layout.colbert) {
    vectors.colbert = {
      size: layout.colbert.dimensions,
      distance: "Cosine",
      multivector_config: { comparator: "max_sim" },
      // Re-ranking only: an HNSW graph over every token vector would cost much and is not used (Qdrant's advice).
      hnsw_config: { m: 0 },
      ...(layout.colbert.format === "int8" ? { quantization_config: { scalar: { type: "int8" as const, always_ram: true } } } : {}),
    };
  }
  return layout.sparse ? { vectors, sparse_vectors: { sparse: {} } } : { vectors };
}

/** A stable UUID (RFC 4122 layout, version 5 bits) from a document id. */
export function qdrantPointId(docId: string): string {
  const h = createHash("sha1").update(`m3studio:${docId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function createQdrantWriter(dir: string, layout: IndexLayout): IndexWriter {
  return createSingleFileWriter(dir, {
    store: "qdrant",
    dataFile: "points.jsonl",
    encode(doc) {
      let vector = `"dense":${float32Json(doc.dense)}`;
      if (layout.sparse) {
        const { indices, values } = sparseIndicesValues(doc.sparse!);
        vector += `,"sparse":{"indices":${JSON.stringify(indices)},"values":${float32Json(values)}}`;
      }
      if (layout.colbert) vector += `,"colbert":${colbertRowsJson(doc.colbert!, layout.colbert)}`;
      const payload = JSON.stringify({ doc_id: doc.id, text: doc.text });
      return `{"id":"${qdrantPointId(doc.id)}","vector":{${vector}},"payload":${payload}}\n`;
    },
    schemaFiles: () => [["collection.json", JSON.stringify(qdrantCollection(layout), null, 2) + "\n"]],
    readme: () => qdrantReadme(layout),
  });
}

function qdrantReadme(layout: IndexLayout): string {
  const [wd, ws, wc] = layout.weights;
  const prefetch = [`{ "query": QUERY_DENSE, "using": "dense", "limit": 100 }`, ...(layout.sparse ? [`{ "query": {"indices": [...], "values": [...]}, "using": "sparse", "limit": 100 }`] : [])];
  return `# Qdrant export: ${layout.name}

Encoded with ${layout.model}. Named vectors: \`dense\` (${layout.dim}, Cosine)${layout.colbert ? `, \`colbert\` (${layout.colbert.dimensions}, MAX_SIM multivector${layout.colbert.format === "int8" ? ", stored as int8" : ""})` : ""}${layout.sparse ? ", sparse \`sparse\` (token ids)" : ""}. Point ids are UUIDs derived from the document ids; \`payload.doc_id\` is the original id.

## Load

\`\`\`bash
curl -X PUT "$QDRANT/collections/${layout.name}" -H 'Content-Type: application/json' --data @collection.json
# points.jsonl holds one point per line: send them in batches of, say, 256 lines
split -l 256 points.jsonl batch_
for f in batch_*; do
  jq -s '{points: .}' "$f" | curl -X PUT "$QDRANT/collections/${layout.name}/points?wait=true" -H 'Content-Type: application/json' --data @-
done
\`\`\`

## Query

Encode the query with the same model (\`POST /v1/encode\` with \`"return_sparse": true, "sparse_format": "indices_values"\`${layout.colbert ? `, \`"return_colbert": true, "colbert_dimensions": ${layout.colbert.dimensions}\`` : ""}).

\`\`\`jsonc
// POST /collections/${layout.name}/points/query — dense
{ "query": QUERY_DENSE, "using": "dense", "limit": 10, "with_payload": true }
${layout.sparse ? `// hybrid with the checkpoint's weights (dense ${wd}, sparse ${ws}${layout.colbert ? `, colbert ${wc}` : ""}): candidates from both lists, fused by a formula
{
  "prefetch": [${prefetch.join(", ")}],
  "query": { "formula": { "sum": [{ "mult": [${wd}, "$score[0]"] }, { "mult": [${ws}, "$score[1]"] }] } },
  "limit": 10
}` : ""}
${layout.colbert ? `// ColBERT re-ranking of those candidates (MaxSim)
{ "prefetch": [${prefetch.join(", ")}], "query": QUERY_COLBERT_ROWS, "using": "colbert", "limit": 10 }` : ""}
\`\`\`
`;
}
