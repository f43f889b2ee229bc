import { describe, expect, it } from "vitest";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { mulberry32 } from "~/server/lib/metrics/rng";
import { colbertScores } from "./colbert-scores";

function vectors(n: number, dim: number, r: () => number): Float32Array {
  const a = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (a[i * dim + j] = r() * 2 - 1) ** 2;
    for (let j = 0; j < dim; j++) a[i * dim + j]! /= Math.sqrt(s);
  }
  return a;
}

describe("ColBERT MaxSim on onnxruntime", () => {
  it("equals the JS reference for passages of different lengths, across chunks", async () => {
    const r = mulberry32(3);
    const dim = 8;
    const q = vectors(5, dim, r);
    const passages = [3, 1, 12, 0, 7, 2].map((n) => vectors(n, dim, r));
    for (const maxVectors of [16384, 10]) {
      const got = await colbertScores(q, passages, dim, maxVectors);
      passages.forEach((p, i) => expect(got[i]).toBeCloseTo(colbertScore(q, p, dim), 5));
    }
  });
});
