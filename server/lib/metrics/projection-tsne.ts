import { mulberry32 } from "./rng";
import type { Projection2D } from "./projection-pca";

/**
 * Exact t-SNE (van der Maaten & Hinton 2008) to 2-D for small sets (O(n²) memory and time; meant for the
 * embedding-space plot, up to a few thousand points). Perplexity is clamped to (n − 1) / 3 as sklearn
 * requires. Early exaggeration 12 for the first 250 iterations, momentum 0.5 → 0.8, gains as in the paper's
 * reference code. Deterministic for a seed.
 */
export function tsne2d(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  opts: { perplexity?: number; iterations?: number; learningRate?: number; seed?: number } = {},
): Projection2D {
  if (n === 0) return { points: [] };
  if (n === 1) return { points: [[0, 0]] };
  const perplexity = Math.max(1, Math.min(opts.perplexity ?? 30, (n - 1) / 3));
  const iters = opts.iterations ?? 1000;
  const lr = opts.learningRate ?? Math.max(n / 12 / 4, 50);
  // Squared distances.
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = data[i * d + k]! - data[j * d + k]!;
        s += t * t;
      }
      D[i * n + j] = D[j * n + i] = s;
    }
  // Conditional P by binary search on beta to match perplexity.
  const P = new Float64Array(n * n);
  const logU = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let t = 0; t < 60; t++) {
      let sum = 0;
      let hsum = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const p = Math.exp(-D[i * n + j]! * beta);
        P[i * n + j] = p;
        sum += p;
        hsum += D[i * n + j]! * p;
      }
      if (sum === 0) sum = 1e-300;
      const H = Math.log(sum) + (beta * hsum) / sum;
      for (let j = 0; j < n; j++) P[i * n + j]! /= sum;
      const diff = H - logU;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  // Symmetrise.
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const p = Math.max((P[i * n + j]! + P[j * n + i]!) / (2 * n), 1e-12);
      P[i * n + j] = P[j * n + i] = p;
    }
  const rand = mulberry32(opts.seed ?? 42);
  const Y = new Float64Array(n * 2);
  for (let i = 0; i < n * 2; i++) {
    // Box–Muller, small variance.
    const u = Math.max(rand(), 1e-12);
    Y[i] = 1e-4 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  }
  const vel = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const Q = new Float64Array(n * n);
  const grad = new Float64Array(n * 2);
  for (let it = 0; it < iters; it++) {
    const exag = it < 250 ? 12 : 1;
    const mom = it < 250 ? 0.5 : 0.8;
    let qsum = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const dx = Y[2 * i]! - Y[2 * j]!;
        const dy = Y[2 * i + 1]! - Y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        Q[i * n + j] = Q[j * n + i] = q;
        qsum += 2 * q;
      }
    grad.fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const q = Q[i * n + j]!;
        const m = (exag * P[i * n + j]! - q / qsum) * q;
        grad[2 * i]! += 4 * m * (Y[2 * i]! - Y[2 * j]!);
        grad[2 * i + 1]! += 4 * m * (Y[2 * i + 1]! - Y[2 * j + 1]!);
      }
    for (let i = 0; i < n * 2; i++) {
      gains[i] = Math.sign(grad[i]!) !== Math.sign(vel[i]!) ? gains[i]! + 0.2 : Math.max(gains[i]! * 0.8, 0.01);
      vel[i] = mom * vel[i]! - lr * gains[i]! * grad[i]!;
      Y[i]! += vel[i]!;
    }
  }
  const points: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) points.push([Y[2 * i]!, Y[2 * i + 1]!]);
  return { points };
}
