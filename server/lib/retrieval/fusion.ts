/**
 * Hybrid scoring of BGE-M3's three outputs.
 * - weightedSum: (w_dense·dense + w_sparse·sparse + w_colbert·colbert) / (w_dense + w_sparse + w_colbert),
 *   FlagEmbedding's compute_score; default weights [0.4, 0.2, 0.4] (BGE-M3 README). A mode absent from the
 *   candidate's scores counts as 0.
 * - reciprocalRankFusion: Σ over ranked lists of 1 / (k + rank), rank 1-based, k = 60 (Cormack et al. 2009).
 */
export interface ModeScores {
  dense?: number;
  sparse?: number;
  colbert?: number;
}

export const DEFAULT_HYBRID_WEIGHTS: [number, number, number] = [0.4, 0.2, 0.4];

export function weightedSum(s: ModeScores, weights: readonly [number, number, number] = DEFAULT_HYBRID_WEIGHTS): number {
  const [wd, ws, wc] = weights;
  const total = wd + ws + wc;
  if (total <= 0) throw new Error("hybrid weights must sum to a positive number");
  return (wd * (s.dense ?? 0) + ws * (s.sparse ?? 0) + wc * (s.colbert ?? 0)) / total;
}

export function reciprocalRankFusion<T extends string | number>(lists: ReadonlyArray<readonly T[]>, k = 60): Array<{ id: T; score: number }> {
  const acc = new Map<T, number>();
  for (const list of lists) list.forEach((id, i) => acc.set(id, (acc.get(id) ?? 0) + 1 / (k + i + 1)));
  return [...acc].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
