/**
 * 2-D PCA of row vectors (n × d, flattened row-major) by power iteration on XᵀX with deflation.
 * Returns n points [x, y] and the share of variance each component explains. Deterministic.
 */
export interface Projection2D {
  points: Array<[number, number]>;
  explainedVariance?: [number, number];
}

export function pca2d(data: Float32Array | Float64Array, n: number, d: number, iterations = 200): Projection2D {
  if (n === 0) return { points: [], explainedVariance: [0, 0] };
  if (data.length !== n * d) throw new Error(`pca2d: expected ${n}×${d} values, got ${data.length}`);
  const X = new Float64Array(n * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / n;
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j]! - mean[j]!;
      X[i * d + j] = v;
      total += v * v;
    }
  const comps: Float64Array[] = [];
  const eig: number[] = [];
  const xv = new Float64Array(n);
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919) % 13) / 13; // fixed, non-degenerate start
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      for (const u of comps) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += v[j]! * u[j]!;
        for (let j = 0; j < d; j++) v[j]! -= dot * u[j]!;
      }
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += X[i * d + j]! * v[j]!;
        xv[i] = s;
      }
      const w = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const s = xv[i]!;
        if (s !== 0) for (let j = 0; j < d; j++) w[j]! += X[i * d + j]! * s;
      }
      for (const u of comps) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += w[j]! * u[j]!;
        for (let j = 0; j < d; j++) w[j]! -= dot * u[j]!;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += w[j]! * w[j]!;
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      lambda = norm;
      for (let j = 0; j < d; j++) w[j]! /= norm;
      v = w;
    }
    comps.push(v);
    eig.push(lambda);
  }
  const points: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      a += X[i * d + j]! * comps[0]![j]!;
      b += X[i * d + j]! * comps[1]![j]!;
    }
    points.push([a, b]);
  }
  return { points, explainedVariance: total === 0 ? [0, 0] : [eig[0]! / total, eig[1]! / total] };
}
