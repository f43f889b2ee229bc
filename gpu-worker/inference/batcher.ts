/**
 * Token-budget batching (text-embeddings-inference style). Inputs are sorted by length (longest first) and
 * packed greedily so that batchSize × (longest length in the batch) ≤ maxTokens and batchSize ≤ maxBatch;
 * every batch lists the original input indices, so outputs are scattered back to input order.
 * A single input longer than the budget still forms its own batch.
 */
export interface BatchPlan {
  batches: number[][];
  /** Σ over batches of batchSize × padded length. */
  paddedTokens: number;
  realTokens: number;
}

export function planBatches(lengths: readonly number[], maxTokens: number, maxBatch = 256): BatchPlan {
  if (maxTokens < 1 || maxBatch < 1) throw new Error("planBatches: budgets must be ≥ 1");
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let cur: number[] = [];
  let curMax = 0;
  for (const i of order) {
    const len = lengths[i]!;
    const newMax = Math.max(curMax, len);
    if (cur.length > 0 && ((cur.length + 1) * newMax > maxTokens || cur.length >= maxBatch)) {
      batches.push(cur);
      cur = [];
      curMax = 0;
    }
    cur.push(i);
    curMax = Math.max(curMax, len);
  }
  if (cur.length > 0) batches.push(cur);
  return withStats(batches, lengths);
}

/** Fixed-size batches in input order (no sorting): the baseline the bench compares against. */
export function planFixedBatches(lengths: readonly number[], batchSize: number): BatchPlan {
  const batches: number[][] = [];
  for (let i = 0; i < lengths.length; i += batchSize)
    batches.push(Array.from({ length: Math.min(batchSize, lengths.length - i) }, (_, j) => i + j));
  return withStats(batches, lengths);
}

function withStats(batches: number[][], lengths: readonly number[]): BatchPlan {
  let padded = 0;
  let real = 0;
  for (const b of batches) {
    let max = 0;
    for (const i of b) {
      max = Math.max(max, lengths[i]!);
      real += lengths[i]!;
    }
    padded += max * b.length;
  }
  return { batches, paddedTokens: padded, realTokens: real };
}

/** Share of padding among the tokens the model computes: (padded − real) / padded. */
export function paddingShare(plan: BatchPlan): number {
  return plan.paddedTokens === 0 ? 0 : (plan.paddedTokens - plan.realTokens) / plan.paddedTokens;
}
