/**
 * BGE-M3 lexical (sparse) retrieval.
 * A text's lexical weights: token id → weight, the max of relu(sparse_linear(h)) over the token's occurrences,
 * special ids (cls/eos/pad/unk) and weights ≤ 0 dropped (FlagEmbedding v1.4 `_process_token_weights`).
 * Lexical score of a query and a passage = Σ over shared ids of w_q · w_p.
 */
export type LexicalWeights = Map<number, number>;

export function lexicalScore(q: LexicalWeights, p: LexicalWeights): number {
  const [small, large] = q.size <= p.size ? [q, p] : [p, q];
  let s = 0;
  for (const [id, w] of small) {
    const v = large.get(id);
    if (v !== undefined) s += w * v;
  }
  return s;
}

/** Inverted index over passages' lexical weights: token id → postings (doc index, weight). */
export class SparseIndex {
  private postings = new Map<number, { docs: number[]; weights: number[] }>();
  /** Score accumulator reused across queries (reset through the touched list). */
  private acc: Float64Array;
  readonly size: number;

  constructor(docs: readonly LexicalWeights[]) {
    this.size = docs.length;
    this.acc = new Float64Array(docs.length);
    docs.forEach((weights, doc) => {
      for (const [id, w] of weights) {
        let p = this.postings.get(id);
        if (!p) this.postings.set(id, (p = { docs: [], weights: [] }));
        p.docs.push(doc);
        p.weights.push(w);
      }
    });
  }

  /** Exact top-k by lexical score (term-at-a-time accumulation; weights are > 0, so a doc is touched once). */
  search(query: LexicalWeights, k: number): Array<{ index: number; score: number }> {
    const acc = this.acc;
    const touched: number[] = [];
    for (const [id, wq] of query) {
      const p = this.postings.get(id);
      if (!p) continue;
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i]!;
        if (acc[d] === 0) touched.push(d);
        acc[d]! += wq * p.weights[i]!;
      }
    }
    const hits = touched.filter((d) => acc[d]! > 0).map((d) => ({ index: d, score: acc[d]! }));
    for (const d of touched) acc[d] = 0;
    return hits.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
  }
}
