import { describe, expect, it } from "vitest";
import { denseTopK } from "./dense-search";
import { mulberry32 } from "~/server/lib/metrics/rng";

function randomMatrix(rows: number, dim: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const a = new Float32Array(rows * dim);
  for (let i = 0; i < a.length; i++) a[i] = r() * 2 - 1;
  return a;
}

function bruteForce(q: Float32Array, c: Float32Array, dim: number, k: number) {
  const m = q.length / dim, n = c.length / dim;
  const res: Array<Array<{ index: number; score: number }>> = [];
  for (let i = 0; i < m; i++) {
    const s: Array<{ index: number; score: number }> = [];
    for (let j = 0; j < n; j++) {
      let d = 0;
      for (let t = 0; t < dim; t++) d += q[i * dim + t]! * c[j * dim + t]!;
      s.push({ index: j, score: d });
    }
    res.push(s.sort((a, b) => b.score - a.score).slice(0, k));
  }
  return res;
}

describe("dense top-k on onnxruntime (Gemm + TopK)", () => {
  const dim = 16;
  const q = randomMatrix(7, dim, 1);
  const c = randomMatrix(500, dim, 2);
  it("matches brute force, with and without corpus blocking", async () => {
    const want = bruteForce(q, c, dim, 10);
    for (const opts of [{}, { corpusBlock: 64, queryBlock: 3 }]) {
      const got = await denseTopK(q, c, dim, 10, opts);
      expect(got.map((h) => h.map((x) => x.index))).toEqual(want.map((h) => h.map((x) => x.index)));
      got.forEach((h, i) => h.forEach((x, j) => expect(x.score).toBeCloseTo(want[i]![j]!.score, 4)));
    }
  });
  it("k larger than the corpus returns the whole corpus; empty corpus throws", async () => {
    const got = await denseTopK(q.subarray(0, dim), c.subarray(0, 5 * dim), dim, 100);
    expect(got[0]).toHaveLength(5);
    await expect(denseTopK(q, new Float32Array(0), dim, 3)).rejects.toThrow(/empty/);
  });
});
