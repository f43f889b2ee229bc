/**
 * Bytes per document of each output as the stores hold the raw vectors (no index overhead): dense float32,
 * sparse as (int32 id, float32 weight) pairs, ColBERT as float32 or int8 (+ one float32 scale per vector) at the
 * full and cut dimensions. Averages over the exported corpus.
 */
export interface StorageCost {
  documents: number;
  denseBytes: number;
  sparseBytes: number | null;
  sparseNonzeros: number | null;
  /** Mean ColBERT vectors (tokens) per document. */
  colbertVectors: number | null;
  colbert: Array<{ dimensions: number; format: "float" | "int8"; bytes: number }>;
}

export class StorageCostCounter {
  private docs = 0;
  private nonzeros = 0;
  private vectors = 0;

  constructor(
    private readonly dim: number,
    private readonly sparse: boolean,
    private readonly colbertDim: number | null,
  ) {}

  add(sparseNonzeros: number, colbertVectors: number): void {
    this.docs++;
    this.nonzeros += sparseNonzeros;
    this.vectors += colbertVectors;
  }

  result(): StorageCost {
    const n = Math.max(this.docs, 1);
    const vectors = this.vectors / n;
    const dims = this.colbertDim ? [...new Set([this.colbertDim, Math.floor(this.colbertDim / 2), Math.floor(this.colbertDim / 4)])].filter((d) => d > 0) : [];
    return {
      documents: this.docs,
      denseBytes: this.dim * 4,
      sparseBytes: this.sparse ? Math.round((this.nonzeros / n) * 8) : null,
      sparseNonzeros: this.sparse ? this.nonzeros / n : null,
      colbertVectors: this.colbertDim ? vectors : null,
      colbert: dims.flatMap((d) => [
        { dimensions: d, format: "float" as const, bytes: Math.round(vectors * d * 4) },
        { dimensions: d, format: "int8" as const, bytes: Math.round(vectors * (d + 4)) },
      ]),
    };
  }
}

/** recall@k and nDCG@k of one ColBERT option, and their change from the model's full float vectors. */
export interface ColbertOptionRecall {
  dimensions: number;
  format: "float" | "int8";
  recall: number;
  ndcg: number;
  recallDelta: number;
  ndcgDelta: number;
}

/** What each ColBERT option costs in retrieval quality on an evaluation set (indexing/colbert-recall.ts). */
export interface ColbertRecallCost {
  /** The evaluation set's name ("organs v1"). */
  evaluation: string;
  /** Judged queries measured, of judgedQueries in the set. */
  queries: number;
  judgedQueries: number;
  corpus: number;
  /** Dense shortlist per query that ColBERT reranks. */
  candidates: number;
  k: number;
  /** The model's full float ColBERT vectors: what every option is compared with. */
  baseline: { dimensions: number; format: "float"; recall: number; ndcg: number };
  /** In the order of StorageCost.colbert. */
  options: ColbertOptionRecall[];
}
