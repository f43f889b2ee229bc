/**
 * ColBERT late-interaction score (BGE-M3): for each query vector the max dot product over the passage's
 * vectors, averaged over the query vectors. Vectors are row-major Float32Arrays of `dim` columns, already
 * L2-normalised and trimmed to the real tokens (padding removed).
 */
export function colbertScore(q: Float32Array, p: Float32Array, dim: number): number {
  const nq = q.length / dim;
  const np = p.length / dim;
  if (nq === 0 || np === 0) return 0;
  let sum = 0;
  for (let i = 0; i < nq; i++) {
    let best = -Infinity;
    for (let j = 0; j < np; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += q[i * dim + t]! * p[j * dim + t]!;
      if (s > best) best = s;
    }
    sum += best;
  }
  return sum / nq;
}
