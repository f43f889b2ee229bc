import { PARITY_RULE, type Precision } from "../../server/services/deployments/precision";
import { openModelFolder } from "../inference/model-folder";
import { M3Tokenizer } from "../inference/tokenizer";
import { trainerReference, type ReferenceOutputs } from "./trainer-reference";

/** Zh and en probe texts of several lengths. */
export const PROBE_TEXTS = [
  "What is BGE M3?",
  "Definition of BM25: a bag-of-words ranking function used by search engines.",
  "脂肪肝应该怎么治疗？",
  "胃食管反流病的常见症状包括烧心和反酸，治疗上常用质子泵抑制剂。",
];

type Output = "dense" | "sparse" | "colbert";
export interface Agreement {
  /** Largest |served − PyTorch| over every component of this output. */
  maxAbs: number;
  /** Smallest cosine over the probe texts (one vector per text: dense; sparse over the union of token ids;
   *  ColBERT as the text's token vectors laid end to end). */
  minCosine: number;
}
export interface ParityResult extends Agreement {
  outputs: Record<Output, Agreement>;
}

interface Served {
  dense: number[];
  sparse_ids: Record<string, number>;
  colbert: number[][];
}

function agreement(pairs: Array<[number[], number[]]>): Agreement {
  let maxAbs = 0;
  let minCosine = 1;
  for (const [a, b] of pairs) {
    let dot = 0, na = 0, nb = 0;
    for (let j = 0; j < a.length; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(a[j]! - b[j]!));
      dot += a[j]! * b[j]!; na += a[j]! * a[j]!; nb += b[j]! * b[j]!;
    }
    // two all-zero vectors (no sparse weight at all) agree; one zero and one not does not
    minCosine = Math.min(minCosine, na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb || 1));
  }
  return { maxAbs, minCosine };
}

/** Compares one text's served outputs with PyTorch's; a shape mismatch is an error naming the text. */
function pairsOf(served: Served[], ref: ReferenceOutputs) {
  const dense: Array<[number[], number[]]> = [];
  const sparse: Array<[number[], number[]]> = [];
  const colbert: Array<[number[], number[]]> = [];
  served.forEach((s, i) => {
    const what = `probe text ${i} (${JSON.stringify(PROBE_TEXTS[i])})`;
    const r = { dense: ref.dense[i]!, sparse: ref.sparse[i]!, colbert: ref.colbert[i]! };
    if (s.dense.length !== r.dense.length) throw new Error(`parity probe: ${what}: served dense has ${s.dense.length} dims, PyTorch ${r.dense.length}`);
    if (s.colbert.length !== r.colbert.length) throw new Error(`parity probe: ${what}: served ${s.colbert.length} ColBERT vectors, PyTorch ${r.colbert.length}`);
    dense.push([s.dense, r.dense]);
    const ids = [...new Set([...Object.keys(s.sparse_ids), ...Object.keys(r.sparse)])];
    sparse.push([ids.map((k) => s.sparse_ids[k] ?? 0), ids.map((k) => r.sparse[k] ?? 0)]);
    colbert.push([s.colbert.flat(), r.colbert.flat()]);
  });
  return { dense, sparse, colbert };
}

/**
 * The served dense, sparse and ColBERT outputs of the probe texts against PyTorch's outputs of the same checkpoint
 * folder (`python3 -m trainer probe`, fp32 on the CPU), so a graph that does not come from these weights — exported
 * from another checkpoint, perturbed, or broken by quantisation — is caught before the replica takes traffic. Both
 * sides get the same token ids (the folder's tokenizer.json). The caller applies PARITY_RULE
 * (server/services/deployments/precision.ts): fp32 maxAbs ≤ 1e-4, fp16 minCosine ≥ 0.999, int8 minCosine ≥ 0.99.
 */
export async function parityProbe(url: string, modelDir: string, apiKey: string | null, signal?: AbortSignal): Promise<ParityResult> {
  const response = await fetch(`${url}/v1/encode`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ input: PROBE_TEXTS, return_dense: true, return_sparse: true, return_colbert: true, sparse_format: "tokens_and_ids" }),
    signal,
  });
  if (!response.ok) throw new Error(`parity probe: HTTP ${response.status} ${await response.text()}`);
  const served = ((await response.json()) as { data: Served[] }).data;
  const folder = openModelFolder(modelDir, { needOnnx: false });
  const tokenizer = M3Tokenizer.fromFiles(folder.tokenizerJson, folder.tokenizerConfig);
  const ids = PROBE_TEXTS.map((t) => tokenizer.encode(t, folder.maxLength).ids);
  const ref = await trainerReference(modelDir, ids, tokenizer.specialIds, signal);
  const pairs = pairsOf(served, ref);
  const outputs = { dense: agreement(pairs.dense), sparse: agreement(pairs.sparse), colbert: agreement(pairs.colbert) };
  const all = Object.values(outputs);
  return { maxAbs: Math.max(...all.map((a) => a.maxAbs)), minCosine: Math.min(...all.map((a) => a.minCosine)), outputs };
}

/** PARITY_RULE applied to a probe: whether the replica may take traffic, and the line the log and row show. */
export function judgeParity(precision: Precision, parity: ParityResult): { passed: boolean; message: string } {
  const rule = PARITY_RULE[precision];
  if (rule.kind === "maxAbs") {
    const worst = (Object.keys(parity.outputs) as Output[]).reduce((a, b) => (parity.outputs[a].maxAbs >= parity.outputs[b].maxAbs ? a : b));
    return parity.maxAbs <= rule.limit
      ? { passed: true, message: `parity ${parity.maxAbs.toExponential(1)}` } // app/_components/job-message.ts translates this line
      : { passed: false, message: `parity probe failed: max |served − PyTorch| ${parity.maxAbs.toExponential(2)} > ${rule.limit} (${worst})` };
  }
  const worst = (Object.keys(parity.outputs) as Output[]).reduce((a, b) => (parity.outputs[a].minCosine <= parity.outputs[b].minCosine ? a : b));
  return parity.minCosine >= rule.limit
    ? { passed: true, message: `parity cosine ${parity.minCosine.toFixed(5)} (${precision})` }
    : { passed: false, message: `parity probe failed: cosine ${parity.minCosine.toFixed(5)} < ${rule.limit} vs PyTorch (${precision}, ${worst})` };
}
