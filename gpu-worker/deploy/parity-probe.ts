import { loadEncoder } from "../inference/load";

/** Zh and en probe texts of several lengths. */
export const PROBE_TEXTS = [
  "What is BGE M3?",
  "Definition of BM25: a bag-of-words ranking function used by search engines.",
  "脂肪肝应该怎么治疗？",
  "胃食管反流病的常见症状包括烧心和反酸，治疗上常用质子泵抑制剂。",
];

export interface ParityResult {
  /** Largest |served − engine| over every dense component. */
  maxAbs: number;
  /** Smallest cosine between a served vector and the engine's. */
  minCosine: number;
}

/**
 * Served dense embeddings against the fp32 engine's own on the probe set. An fp32 deployment goes LIVE
 * only when maxAbs ≤ 1e-4; a quantised one (an approximation by design) when minCosine clears its
 * looser bound (server/services/deployments/precision.ts PARITY_RULE).
 */
export async function parityProbe(url: string, modelDir: string, apiKey: string | null): Promise<ParityResult> {
  const response = await fetch(`${url}/v1/encode`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ input: PROBE_TEXTS, return_dense: true }),
  });
  if (!response.ok) throw new Error(`parity probe: HTTP ${response.status} ${await response.text()}`);
  const served = ((await response.json()) as { data: { dense: number[] }[] }).data.map((d) => d.dense);
  const { encoder, maxLength } = await loadEncoder(modelDir);
  try {
    const local = await encoder.encode(PROBE_TEXTS, { maxLength, outputs: ["dense"] });
    let maxAbs = 0;
    let minCosine = 1;
    served.forEach((row, i) => {
      let dot = 0, a = 0, b = 0;
      row.forEach((v, j) => {
        const w = local.dense[i * encoder.dim + j]!;
        maxAbs = Math.max(maxAbs, Math.abs(v - w));
        dot += v * w; a += v * v; b += w * w;
      });
      minCosine = Math.min(minCosine, dot / Math.sqrt(a * b || 1));
    });
    return { maxAbs, minCosine };
  } finally {
    await encoder.backend.close();
  }
}
