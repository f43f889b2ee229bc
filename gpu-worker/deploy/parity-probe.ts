import { loadEncoder } from "../inference/load";

/** Zh and en probe texts of several lengths. */
export const PROBE_TEXTS = [
  "What is BGE M3?",
  "Definition of BM25: a bag-of-words ranking function used by search engines.",
  "脂肪肝应该怎么治疗？",
  "胃食管反流病的常见症状包括烧心和反酸，治疗上常用质子泵抑制剂。",
];

/**
 * Served dense embeddings against the engine's own on the probe set: the largest absolute
 * difference. A deployment goes LIVE only when it is ≤ 1e-4 (fp32).
 */
export async function parityProbe(url: string, modelDir: string, apiKey: string | null): Promise<number> {
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
    let max = 0;
    served.forEach((row, i) => row.forEach((v, j) => (max = Math.max(max, Math.abs(v - local.dense[i * encoder.dim + j]!)))));
    return max;
  } finally {
    await encoder.backend.close();
  }
}
