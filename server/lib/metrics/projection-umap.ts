import { UMAP } from "umap-js";
import { mulberry32 } from "./rng";
import type { Projection2D } from "./projection-pca";

/** 2-D UMAP via umap-js (deterministic with a seed). nNeighbors is clamped below n. */
export function umap2d(
  data: Float32Array | Float64Array,
  n: number,
  d: number,
  opts: { nNeighbors?: number; seed?: number; epochs?: number } = {},
): Projection2D {
  if (n < 3) return { points: Array.from({ length: n }, (_, i) => [i, 0] as [number, number]) };
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(data.subarray(i * d, (i + 1) * d)));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(opts.nNeighbors ?? 15, n - 1)),
    nEpochs: opts.epochs,
    random: mulberry32(opts.seed ?? 42),
  });
  const out = umap.fit(rows);
  return { points: out.map((p) => [p[0] ?? 0, p[1] ?? 0] as [number, number]) };
}
