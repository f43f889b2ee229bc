import * as ort from "onnxruntime-node";
import { buildOnnxModel, ElemType } from "./onnx-proto";

/**
 * ColBERT (MaxSim) scores of one query against many passages on onnxruntime:
 *   s[c] = mean over query vectors i of max over passage vectors j of ⟨q_i, p_cj⟩
 * Passages are padded to the longest one with a −1e4 bias on padded positions, so padding never wins the max.
 * Same value as server/lib/retrieval/colbert.ts (the JS reference), computed by MatMul + ReduceMax + ReduceMean.
 */
let sessionPromise: Promise<ort.InferenceSession> | null = null;

function graph(): Uint8Array {
  return buildOnnxModel({
    name: "colbert_maxsim",
    nodes: [
      { opType: "Transpose", inputs: ["q"], outputs: ["qt"], attrs: { perm: [1, 0] } },
      { opType: "MatMul", inputs: ["p", "qt"], outputs: ["s"] }, // [c, L, nq]
      { opType: "Add", inputs: ["s", "bias"], outputs: ["sb"] }, // bias [c, L, 1]
      { opType: "ReduceMax", inputs: ["sb"], outputs: ["m"], attrs: { axes: [1], keepdims: 0 } }, // [c, nq]
      { opType: "ReduceMean", inputs: ["m"], outputs: ["score"], attrs: { axes: [1], keepdims: 0 } }, // [c]
    ],
    inputs: [
      { name: "q", elemType: ElemType.FLOAT, shape: ["nq", "d"] },
      { name: "p", elemType: ElemType.FLOAT, shape: ["c", "L", "d"] },
      { name: "bias", elemType: ElemType.FLOAT, shape: ["c", "L", 1] },
    ],
    outputs: [{ name: "score", elemType: ElemType.FLOAT, shape: ["c"] }],
  });
}

/** Scores for each passage (vectors row-major, `dim` columns). Passages are chunked by `maxVectors` per call. */
export async function colbertScores(query: Float32Array, passages: readonly Float32Array[], dim: number, maxVectors = 16384): Promise<Float32Array> {
  const out = new Float32Array(passages.length);
  const nq = query.length / dim;
  if (nq === 0 || passages.length === 0) return out;
  sessionPromise ??= ort.InferenceSession.create(graph(), { graphOptimizationLevel: "all" });
  const s = await sessionPromise;
  const qt = new ort.Tensor("float32", query, [nq, dim]);
  let start = 0;
  while (start < passages.length) {
    // Grow the chunk while chunk size × longest passage stays within maxVectors.
    let end = start;
    let L = 1;
    while (end < passages.length) {
      const len = Math.max(1, passages[end]!.length / dim);
      if (end > start && (end - start + 1) * Math.max(L, len) > maxVectors) break;
      L = Math.max(L, len);
      end++;
    }
    const c = end - start;
    const p = new Float32Array(c * L * dim);
    const bias = new Float32Array(c * L).fill(-1e4);
    for (let i = 0; i < c; i++) {
      const v = passages[start + i]!;
      p.set(v, i * L * dim);
      bias.fill(0, i * L, i * L + v.length / dim);
    }
    const r = await s.run({ q: qt, p: new ort.Tensor("float32", p, [c, L, dim]), bias: new ort.Tensor("float32", bias, [c, L, 1]) });
    out.set(r.score!.data as Float32Array, start);
    start = end;
  }
  // An empty passage (no vectors) scores 0, as in the JS reference.
  passages.forEach((v, i) => v.length === 0 && (out[i] = 0));
  return out;
}
