import type { LexicalWeights } from "~/server/lib/retrieval/sparse";
import type { EncoderBackend, OutputKind } from "./backend";
import { planBatches } from "./batcher";
import type { M3Tokenizer } from "./tokenizer";

/**
 * BGE-M3 encoder: tokenizer + backend + token-budget batcher. Texts are tokenized, sorted by length into
 * batches bounded by a token budget, run, post-processed (FlagEmbedding v1.4 semantics) and returned in
 * input order. Truncation is reported per text.
 */
export interface EncodeOptions {
  /** Longest input in tokens, special tokens included (queries and passages usually differ). */
  maxLength: number;
  outputs?: readonly OutputKind[];
  /** Called after each batch with the number of texts done. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface Encoded {
  dim: number;
  /** n × dim, row-major, L2-normalised. Present when "dense" was requested. */
  dense: Float32Array;
  /** token id → weight (max per id; special ids and weights ≤ 0 dropped). */
  sparse?: LexicalWeights[];
  /** Per text (length − 1) × dim vectors, normalised. */
  colbert?: Float32Array[];
  /** Token count of each text after truncation. */
  lengths: number[];
  /** Input indices of the texts that were truncated, with their full lengths. */
  truncated: Array<{ index: number; fullLength: number }>;
  /** Share of padding tokens in the batches that ran. */
  paddingShare: number;
}

export interface EncoderConfig {
  /**
   * Token budget per batch: batch size × padded length (default 4,096). onnxruntime-node runs each batch
   * synchronously on the calling thread (after a setImmediate), so the budget also bounds how long the event
   * loop — and a job's heartbeat timer — waits: keep batches to seconds on CPU (gpu-worker/serve runs ORT in a
   * worker thread instead).
   */
  maxBatchTokens?: number;
  /** The model's own limit (position embeddings); longer requests are clamped to it, never passed to the graph. */
  modelMaxLength?: number;
}

export class M3Encoder {
  constructor(
    readonly tokenizer: M3Tokenizer,
    readonly backend: EncoderBackend,
    readonly config: EncoderConfig = {},
  ) {}

  get dim(): number {
    return this.backend.dim;
  }

  async encode(texts: readonly string[], opts: EncodeOptions): Promise<Encoded> {
    const outputs = opts.outputs ?? ["dense"];
    const maxLength = Math.min(opts.maxLength, this.config.modelMaxLength ?? Number.MAX_SAFE_INTEGER);
    const toks = texts.map((t) => this.tokenizer.encode(t, maxLength));
    const lengths = toks.map((t) => t.ids.length);
    const plan = planBatches(lengths, this.config.maxBatchTokens ?? 4096, this.backend.maxBatch);
    const dim = this.backend.dim;
    const dense = new Float32Array(outputs.includes("dense") ? texts.length * dim : 0);
    const sparse: LexicalWeights[] | undefined = outputs.includes("sparse") ? new Array(texts.length) : undefined;
    const colbert: Float32Array[] | undefined = outputs.includes("colbert") ? new Array(texts.length) : undefined;
    let done = 0;
    for (const batch of plan.batches) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      const out = await this.backend.run(batch.map((i) => toks[i]!.ids), this.tokenizer.padId, outputs);
      batch.forEach((inputIndex, b) => {
        const ids = toks[inputIndex]!.ids;
        if (out.dense) dense.set(out.dense.subarray(b * dim, (b + 1) * dim), inputIndex * dim);
        if (sparse && out.sparse) {
          const w = new Map<number, number>();
          for (let j = 0; j < ids.length; j++) {
            const id = ids[j]!;
            const v = out.sparse[b * out.seq + j]!;
            if (v <= 0 || this.tokenizer.specialIds.has(id)) continue;
            if (v > (w.get(id) ?? 0)) w.set(id, v);
          }
          sparse[inputIndex] = w;
        }
        if (colbert && out.colbert) {
          const start = b * (out.seq - 1) * dim;
          colbert[inputIndex] = out.colbert.slice(start, start + (ids.length - 1) * dim);
        }
      });
      done += batch.length;
      await opts.onProgress?.(done, texts.length);
    }
    const truncated = toks.flatMap((t, index) => (t.truncated ? [{ index, fullLength: t.fullLength }] : []));
    const share = plan.paddedTokens === 0 ? 0 : (plan.paddedTokens - plan.realTokens) / plan.paddedTokens;
    return { dim, dense, sparse, colbert, lengths, truncated, paddingShare: share };
  }
}
