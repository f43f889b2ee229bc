/**
 * Golden outputs of the real BAAI/bge-m3 (FlagEmbedding v1.4 README, DESIGN.md): runs only when BGE_M3_DIR
 * names a local BGE-M3 folder with onnx/model.onnx (weights cannot be downloaded here).
 */
import { describe, expect, it } from "vitest";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { lexicalScore } from "~/server/lib/retrieval/sparse";
import { loadEncoder } from "./load";

const DIR = process.env.BGE_M3_DIR;
const Q = ["What is BGE M3?", "Defination of BM25"];
const P = [
  "BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.",
  "BM25 is a bag-of-words retrieval function that ranks a set of documents based on the query terms appearing in each document",
];

describe.skipIf(!DIR)("BGE-M3 golden outputs (BGE_M3_DIR)", () => {
  it("dense, lexical and ColBERT scores match the FlagEmbedding README", async () => {
    const { encoder } = await loadEncoder(DIR!);
    const outputs = ["dense", "sparse", "colbert"] as const;
    const q = await encoder.encode(Q, { maxLength: 8192, outputs });
    const p = await encoder.encode(P, { maxLength: 8192, outputs });
    const d = encoder.dim;
    const dot = (i: number, j: number) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += q.dense[i * d + t]! * p.dense[j * d + t]!;
      return s;
    };
    expect([[dot(0, 0), dot(0, 1)], [dot(1, 0), dot(1, 1)]].flat().map((x) => +x.toFixed(4))).toEqual([0.6265, 0.3477, 0.3499, 0.678].map((x) => expect.closeTo(x, 3)));
    expect(lexicalScore(q.sparse![0]!, p.sparse![0]!)).toBeCloseTo(0.1955, 3);
    expect(lexicalScore(q.sparse![0]!, q.sparse![1]!)).toBe(0);
    expect(colbertScore(q.colbert![0]!, p.colbert![0]!, d)).toBeCloseTo(0.7797, 3);
    expect(colbertScore(q.colbert![0]!, p.colbert![1]!, d)).toBeCloseTo(0.462, 3);
    await encoder.backend.close();
  });
});
