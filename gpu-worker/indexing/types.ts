import type { LexicalWeights } from "~/server/lib/retrieval/sparse";
import type { ColbertFormat } from "./vector-formats";

/** The vector stores an index export is written for (one folder each). */
export const INDEX_STORES = ["milvus", "qdrant", "elasticsearch", "pgvector"] as const;
export type IndexStore = (typeof INDEX_STORES)[number];

/** One encoded document on its way into the export files. */
export interface IndexedDocument {
  id: string;
  text: string;
  /** Unit-length dense vector (layout.dim). */
  dense: Float32Array;
  /** Token id → weight (> 0); present when layout.sparse. */
  sparse?: LexicalWeights;
  /** ColBERT rows × layout.colbert.dimensions, cut and re-normalised already; present when layout.colbert. */
  colbert?: Float32Array;
}

/** ColBERT vectors in an index: cut to the first `dimensions` (re-normalised), stored as float or int8. */
export interface ColbertChoice {
  dimensions: number;
  format: ColbertFormat;
}

/** What one index is: chosen by the user, recorded in the manifest, passed to every store's writer. */
export interface IndexSettings {
  /** Collection / index / table name: [a-z][a-z0-9_]* (valid in all four stores). */
  name: string;
  /** Label of the model that encoded the documents (README text only). */
  model: string;
  sparse: boolean;
  colbert: ColbertChoice | null;
  /** Hybrid weights [dense, sparse, colbert] for the README queries (the checkpoint's, else FlagEmbedding's). */
  weights: [number, number, number];
}

/** What every export of one index shares: the settings plus what the model fixes. */
export interface IndexLayout extends IndexSettings {
  dim: number;
  /** Tokenizer vocabulary size: pgvector's sparsevec dimension. */
  vocabSize: number;
  /** Token id → string (BGEM3FlagModel.convert_id_to_token): Elasticsearch/OpenSearch feature keys. */
  tokenString: (id: number) => string;
}

/** A streaming writer of one store's files: add documents in order, then finish (atomic renames) or abort. */
export interface IndexWriter {
  readonly store: IndexStore;
  add(doc: IndexedDocument): Promise<void>;
  /** Closes the data files, renames them into place and writes the schema and README; returns what it wrote. */
  finish(): Promise<ExportedStore>;
  /** Removes the temporary files. */
  abort(): Promise<void>;
}

export interface ExportedStore {
  store: IndexStore;
  /** File names inside the store's folder. */
  files: string[];
  documents: number;
  /** What the store could not take as is (e.g. sparse entries beyond pgvector's limit), for the README and the job. */
  notes: string[];
}

export const INDEX_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
