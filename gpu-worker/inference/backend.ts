/**
 * The narrow backend interface behind the encoder (text-embeddings-inference style): health, one padded
 * batch in → raw model outputs out, and the batch limits. Two implementations: onnxruntime-node
 * (ort-backend.ts) and the PyTorch model in a Python child process (torch-backend.ts).
 */
export type OutputKind = "dense" | "sparse" | "colbert";

/** Raw outputs of one batch of `batch` texts padded to `seq` tokens (docs/CONTRACTS.md ONNX graph). */
export interface BatchOutputs {
  batch: number;
  seq: number;
  dim: number;
  /** [batch, dim] L2-normalised CLS vectors. */
  dense?: Float32Array;
  /** [batch, seq] relu(sparse_linear(h)) per position. */
  sparse?: Float32Array;
  /** [batch, seq − 1, dim] normalised ColBERT vectors, zero at padded positions. */
  colbert?: Float32Array;
}

export interface BackendHealth {
  ok: boolean;
  backend: string;
  dim: number;
  detail?: string;
}

export interface EncoderBackend {
  readonly name: string;
  readonly dim: number;
  /** Largest batch size the backend accepts in one call. */
  readonly maxBatch: number;
  health(): Promise<BackendHealth>;
  /** `ids` are unpadded token id rows (with <s> … </s>); the backend pads with `padId`. */
  run(ids: readonly number[][], padId: number, outputs: readonly OutputKind[]): Promise<BatchOutputs>;
  close(): Promise<void>;
}

/** Pads rows to the longest one: input_ids / attention_mask as int64 (row-major). */
export function padBatch(ids: readonly number[][], padId: number): { inputIds: BigInt64Array; mask: BigInt64Array; seq: number } {
  const seq = Math.max(1, ...ids.map((r) => r.length));
  const inputIds = new BigInt64Array(ids.length * seq).fill(BigInt(padId));
  const mask = new BigInt64Array(ids.length * seq);
  ids.forEach((row, b) => {
    for (let j = 0; j < row.length; j++) {
      inputIds[b * seq + j] = BigInt(row[j]!);
      mask[b * seq + j] = 1n;
    }
  });
  return { inputIds, mask, seq };
}

/** The shared health check: one tiny batch (`<s></s>`) must come back finite. */
export async function probeHealth(backend: EncoderBackend): Promise<BackendHealth> {
  try {
    const out = await backend.run([[0, 2]], 1, ["dense"]);
    const ok = out.dense !== undefined && out.dense.every(Number.isFinite);
    return { ok, backend: backend.name, dim: backend.dim, detail: ok ? undefined : "non-finite output" };
  } catch (e) {
    return { ok: false, backend: backend.name, dim: backend.dim, detail: (e as Error).message };
  }
}
