import path from "node:path";
import { writeFileAtomic } from "../inference/atomic-write";
import { AtomicTextFile } from "./atomic-lines";
import { float32Text } from "./numbers";
import type { ExportedStore, IndexedDocument, IndexLayout, IndexWriter } from "./types";
import { quantizeInt8 } from "./vector-formats";

/**
 * pgvector export: `schema.sql` (CREATE TABLE), `documents.tsv` (COPY … FROM text format: id, text, dense `vector`
 * literal, sparse 1-based `sparsevec` literal), `colbert.tsv` for a token table when ColBERT is on, `indexes.sql`
 * (HNSW, run after loading) and `queries.sql`.
 *
 * sparsevec holds at most 16,000 non-zeros: a document with more keeps its 16,000 largest weights (the smallest
 * ones contribute least to inner products) and the export counts such documents in its notes. HNSW on sparsevec
 * indexes at most 1,000 non-zeros, so indexes.sql leaves the sparse HNSW index commented out when a row has more.
 * pgvector has no int8 vector: int8 ColBERT rows are written de-quantised (q · scale) as `vector`.
 */
export const SPARSEVEC_MAX_NONZEROS = 16_000;
export const SPARSEVEC_HNSW_MAX_NONZEROS = 1_000;

/** `[x,y,…]`, pgvector's vector literal. */
export function vectorLiteral(v: ArrayLike<number>): string {
  let s = "[";
  for (let i = 0; i < v.length; i++) s += (i ? "," : "") + float32Text(v[i]!);
  return s + "]";
}

/**
 * `{i:w,…}/dim` with 1-based indices (token id + 1), ascending; at most SPARSEVEC_MAX_NONZEROS entries (the
 * largest weights). `trimmed` says whether entries were dropped.
 */
export function sparsevecLiteral(weights: Map<number, number>, vocabSize: number): { literal: string; trimmed: boolean; nonzeros: number } {
  let entries = [...weights].filter(([, w]) => w !== 0);
  const trimmed = entries.length > SPARSEVEC_MAX_NONZEROS;
  if (trimmed) entries = entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, SPARSEVEC_MAX_NONZEROS);
  entries.sort((a, b) => a[0] - b[0]);
  for (const [id] of entries) if (id < 0 || id >= vocabSize) throw new Error(`sparse token id ${id} is outside the vocabulary (size ${vocabSize})`);
  return { literal: `{${entries.map(([id, w]) => `${id + 1}:${float32Text(w)}`).join(",")}}/${vocabSize}`, trimmed, nonzeros: entries.length };
}

/** COPY text format: backslash, tab, newline and carriage return escaped. */
export function copyField(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!);
}

export function pgvectorSchema(layout: IndexLayout): string {
  const t = layout.name;
  const cols = [`  id text PRIMARY KEY`, `  text text NOT NULL`, `  dense vector(${layout.dim}) NOT NULL`];
  if (layout.sparse) cols.push(`  sparse sparsevec(${layout.vocabSize}) NOT NULL`);
  let sql = `CREATE EXTENSION IF NOT EXISTS vector;\n\nCREATE TABLE ${t} (\n${cols.join(",\n")}\n);\n`;
  if (layout.colbert)
    sql += `\n-- ColBERT: one row per token vector (MaxSim in queries.sql)\nCREATE TABLE ${t}_colbert (\n  doc_id text NOT NULL REFERENCES ${t} (id),\n  position integer NOT NULL,\n  vec vector(${layout.colbert.dimensions}) NOT NULL,\n  PRIMARY KEY (doc_id, position)\n);\n`;
  return sql;
}

export function pgvectorIndexes(layout: IndexLayout, maxNonzeros: number): string {
  const t = layout.name;
  let sql = `-- Run after COPY: building the graph once is faster than updating it per row.\nCREATE INDEX ${t}_dense_hnsw ON ${t} USING hnsw (dense vector_ip_ops);\n`;
  if (layout.sparse) {
    const idx = `CREATE INDEX ${t}_sparse_hnsw ON ${t} USING hnsw (sparse sparsevec_ip_ops);`;
    sql +=
      maxNonzeros <= SPARSEVEC_HNSW_MAX_NONZEROS
        ? `${idx}\n`
        : `-- A document has ${maxNonzeros} sparse non-zeros; HNSW on sparsevec takes at most ${SPARSEVEC_HNSW_MAX_NONZEROS}, so sparse search runs as an exact scan.\n-- ${idx}\n`;
  }
  return sql;
}

export function pgvectorQueries(layout: IndexLayout): string {
  const t = layout.name;
  const [wd, ws, wc] = layout.weights;
  // `<#>` is the negative inner product (ascending = best first); vectors are unit length, so it is cosine.
  let sql = `-- Parameters: the query's dense vector literal '[x,…]', its sparsevec literal '{id+1:w,…}/${layout.vocabSize}'${layout.colbert ? ", its ColBERT rows as vector[]" : ""}.\n\n-- dense top 10 ($1: dense)\nSELECT id, -(dense <#> $1::vector) AS score FROM ${t} ORDER BY dense <#> $1::vector LIMIT 10;\n`;
  if (layout.sparse) {
    sql += `\n-- sparse (lexical) top 10 ($1: sparsevec)\nSELECT id, -(sparse <#> $1::sparsevec) AS score FROM ${t} ORDER BY sparse <#> $1::sparsevec LIMIT 10;\n`;
    const colbert = layout.colbert
      ? ` + ${wc} * (SELECT avg(best) FROM (SELECT max(-(c.vec <#> q.vec)) AS best FROM unnest($3::vector[]) WITH ORDINALITY AS q(vec, i) JOIN ${t}_colbert c ON c.doc_id = d.id GROUP BY q.i) m)`
      : "";
    const total = layout.colbert ? wd + ws + wc : wd + ws;
    sql += `\n-- hybrid with the checkpoint's weights (dense ${wd}, sparse ${ws}${layout.colbert ? `, colbert ${wc}` : ""}) over the union of both top 100s, like the platform's hybrid search ($1: dense, $2: sparsevec${layout.colbert ? ", $3: ColBERT rows" : ""})\nWITH candidates AS (\n  (SELECT id FROM ${t} ORDER BY dense <#> $1::vector LIMIT 100)\n  UNION\n  (SELECT id FROM ${t} ORDER BY sparse <#> $2::sparsevec LIMIT 100)\n)\nSELECT d.id, (${wd} * -(d.dense <#> $1::vector) + ${ws} * -(d.sparse <#> $2::sparsevec)${colbert}) / ${total} AS score\nFROM candidates JOIN ${t} d USING (id)\nORDER BY score DESC LIMIT 10;\n`;
  }
  return sql;
}

export function createPgvectorWriter(dir: string, layout: IndexLayout): IndexWriter {
  const docs = new AtomicTextFile(path.join(dir, "documents.tsv"));
  const colbert = layout.colbert ? new AtomicTextFile(path.join(dir, "colbert.tsv")) : null;
  let count = 0;
  let trimmed = 0;
  let maxNonzeros = 0;
  return {
    store: "pgvector",
    async add(doc: IndexedDocument) {
      const fields = [copyField(doc.id), copyField(doc.text), vectorLiteral(doc.dense)];
      if (layout.sparse) {
        const sv = sparsevecLiteral(doc.sparse!, layout.vocabSize);
        if (sv.trimmed) trimmed++;
        maxNonzeros = Math.max(maxNonzeros, sv.nonzeros);
        fields.push(sv.literal);
      }
      await docs.write(fields.join("\t") + "\n");
      if (colbert && layout.colbert) {
        const d = layout.colbert.dimensions;
        let rows = doc.colbert!;
        if (layout.colbert.format === "int8") {
          const q = quantizeInt8(rows, d);
          rows = Float32Array.from(q.values, (v, i) => v * q.scales[Math.floor(i / d)]!);
        }
        let lines = "";
        for (let r = 0; r * d < rows.length; r++) lines += `${copyField(doc.id)}\t${r}\t${vectorLiteral(rows.subarray(r * d, (r + 1) * d))}\n`;
        await colbert.write(lines);
      }
      count++;
    },
    async finish() {
      await docs.commit();
      await colbert?.commit();
      writeFileAtomic(path.join(dir, "schema.sql"), pgvectorSchema(layout));
      writeFileAtomic(path.join(dir, "indexes.sql"), pgvectorIndexes(layout, maxNonzeros));
      writeFileAtomic(path.join(dir, "queries.sql"), pgvectorQueries(layout));
      const notes = trimmed ? [`${trimmed} document(s) had more than ${SPARSEVEC_MAX_NONZEROS} sparse non-zeros; each kept its ${SPARSEVEC_MAX_NONZEROS} largest weights`] : [];
      if (layout.sparse && maxNonzeros > SPARSEVEC_HNSW_MAX_NONZEROS) notes.push(`a document has ${maxNonzeros} sparse non-zeros (> ${SPARSEVEC_HNSW_MAX_NONZEROS}): no HNSW index on sparse, exact scan`);
      writeFileAtomic(path.join(dir, "README.md"), pgvectorReadme(layout, notes));
      const files = ["schema.sql", "documents.tsv", ...(colbert ? ["colbert.tsv"] : []), "indexes.sql", "queries.sql", "README.md"];
      return { store: "pgvector", files, documents: count, notes } satisfies ExportedStore;
    },
    async abort() {
      await docs.abort();
      await colbert?.abort();
    },
  };
}

function pgvectorReadme(layout: IndexLayout, notes: string[]): string {
  const t = layout.name;
  return `# pgvector export: ${t}

Encoded with ${layout.model}: \`dense vector(${layout.dim})\` (unit length)${layout.sparse ? `, \`sparse sparsevec(${layout.vocabSize})\` (index = token id + 1; at most ${SPARSEVEC_MAX_NONZEROS} non-zeros, the largest kept)` : ""}${layout.colbert ? `, ColBERT rows in \`${t}_colbert\` (${layout.colbert.dimensions} dims${layout.colbert.format === "int8" ? ", int8 de-quantised: pgvector has no int8 type" : ""})` : ""}.${notes.map((n) => `\n\n- ${n}`).join("")}

## Load (PostgreSQL with pgvector ≥ 0.7 for sparsevec)

\`\`\`bash
psql "$DATABASE_URL" -f schema.sql
psql "$DATABASE_URL" -c "\\\\copy ${t} FROM 'documents.tsv'"
${layout.colbert ? `psql "$DATABASE_URL" -c "\\\\copy ${t}_colbert FROM 'colbert.tsv'"\n` : ""}psql "$DATABASE_URL" -f indexes.sql
\`\`\`

## Query

\`queries.sql\` holds dense, sparse and hybrid top-10 queries (the checkpoint's weights). Encode the query with
the same model (\`POST /v1/encode\`, \`"sparse_format": "indices_values"\`), pass the dense vector as \`'[x,y,…]'\`
and the sparse one as \`'{id+1:w,…}/${layout.vocabSize}'\`.
`;
}
