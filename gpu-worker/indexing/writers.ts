import path from "node:path";
import { createElasticsearchWriter } from "./elasticsearch";
import { createMilvusWriter } from "./milvus";
import { createPgvectorWriter } from "./pgvector";
import { createQdrantWriter } from "./qdrant";
import { INDEX_NAME_PATTERN, type ExportedStore, type IndexedDocument, type IndexLayout, type IndexStore, type IndexWriter } from "./types";

const FACTORIES: Record<IndexStore, (dir: string, layout: IndexLayout) => IndexWriter> = {
  milvus: createMilvusWriter,
  qdrant: createQdrantWriter,
  elasticsearch: createElasticsearchWriter,
  pgvector: createPgvectorWriter,
};

/** Writers for the chosen stores, each into `outDir/<store>/`; add() fans a document out to all of them. */
export function createIndexWriters(outDir: string, stores: readonly IndexStore[], layout: IndexLayout) {
  if (!INDEX_NAME_PATTERN.test(layout.name)) throw new Error(`index name ${JSON.stringify(layout.name)}: use lower-case letters, digits and _ (starting with a letter, at most 63)`);
  if (stores.length === 0) throw new Error("stores: choose at least one of milvus, qdrant, elasticsearch, pgvector");
  const writers = stores.map((s) => FACTORIES[s](path.join(outDir, s), layout));
  return {
    async add(doc: IndexedDocument) {
      if (doc.dense.length !== layout.dim) throw new Error(`document ${JSON.stringify(doc.id)}: dense vector has ${doc.dense.length} dims, the index ${layout.dim}`);
      if (layout.sparse && !doc.sparse) throw new Error(`document ${JSON.stringify(doc.id)}: no sparse weights`);
      if (layout.colbert && (!doc.colbert || doc.colbert.length % layout.colbert.dimensions !== 0))
        throw new Error(`document ${JSON.stringify(doc.id)}: ColBERT rows are not ${layout.colbert.dimensions} wide`);
      for (const w of writers) await w.add(doc);
    },
    async finish(): Promise<ExportedStore[]> {
      const out: ExportedStore[] = [];
      for (const w of writers) out.push(await w.finish());
      return out;
    },
    async abort() {
      for (const w of writers) await w.abort();
    },
  };
}
