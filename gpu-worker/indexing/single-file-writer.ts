import path from "node:path";
import { writeFileAtomic } from "../inference/atomic-write";
import { AtomicTextFile } from "./atomic-lines";
import type { ExportedStore, IndexedDocument, IndexStore, IndexWriter } from "./types";

/**
 * The shape Milvus, Qdrant and Elasticsearch/OpenSearch exports share: one streamed data file (atomic, renamed into
 * place on finish), then the schema files and a README that can mention what the documents taught (the notes).
 * A store module says only what differs: how a document is written, the schema, the README.
 */
export interface SingleFileExport {
  store: IndexStore;
  dataFile: string;
  /** The text document number `index` adds to the data file (may throw to refuse it, naming the document). */
  encode(doc: IndexedDocument, index: number): string;
  /** Closing text of the data file once `count` documents are in (e.g. a JSON list's bracket). */
  end?(count: number): string;
  /** What the store could not take as is, known once every document went by. */
  notes?(): string[];
  /** Files written beside the data file: [name, text], in the order the manifest lists them. */
  schemaFiles(): Array<[name: string, text: string]>;
  readme(notes: string[]): string;
}

export function createSingleFileWriter(dir: string, spec: SingleFileExport): IndexWriter {
  const data = new AtomicTextFile(path.join(dir, spec.dataFile));
  let count = 0;
  return {
    store: spec.store,
    async add(doc) {
      await data.write(spec.encode(doc, count));
      count++;
    },
    async finish(): Promise<ExportedStore> {
      const end = spec.end?.(count);
      if (end) await data.write(end);
      await data.commit();
      const schema = spec.schemaFiles();
      for (const [name, text] of schema) writeFileAtomic(path.join(dir, name), text);
      const notes = spec.notes?.() ?? [];
      writeFileAtomic(path.join(dir, "README.md"), spec.readme(notes));
      return { store: spec.store, files: [...schema.map(([name]) => name), spec.dataFile, "README.md"], documents: count, notes };
    },
    abort: () => data.abort(),
  };
}
