import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { OutputKind } from "../inference/backend";
import { M3Encoder } from "../inference/encoder";
import { loadEncoder } from "../inference/load";
import { openModelFolder } from "../inference/model-folder";
import { M3Tokenizer } from "../inference/tokenizer";
import { CPU_SERVING, precisionOfGraph, type ServingDevice } from "../../server/lib/serving-device";
import { LruCache } from "./lru";
import { WorkerBackend } from "./worker-backend";
import { MicroBatcher, type BatchStats, type ItemOutputs } from "./micro-batcher";

/**
 * One loaded model: encoder (tokenizer + onnxruntime backend), its cross-request micro-batcher and its cache
 * of recent inputs. The server holds one current slot; `swapModel` loads a new slot, makes it current in one
 * assignment, then retires the old one once every request that acquired it has released it, so no request
 * ever sees a closed backend. The cache lives in the slot, so a swap can never serve the old model's vectors.
 */
export type Input = { text: string } | { ids: number[] };

export interface EncodedInput extends ItemOutputs {
  /** Tokens after truncation (special tokens included). */
  length: number;
  fullLength: number;
  truncated: boolean;
}

/** An input after tokenization (`ids` empty when it is served from the cache). */
export interface TokenizedInput {
  ids: number[];
  length: number;
  fullLength: number;
  truncated: boolean;
}

export interface SlotOptions {
  threads: number;
  /** Inference worker threads (one ONNX session each); 0 = run onnxruntime on the event-loop thread. */
  inferenceWorkers: number;
  /** ONNX graph inside the folder (default onnx/model.onnx; e.g. onnx/model.int8.onnx). */
  onnxFile?: string;
  /** Where the model runs (server/lib/serving-device.ts); default onnxruntime's CPU provider. */
  device?: ServingDevice;
  maxBatchTokens: number;
  batchWaitMs: number;
  /** Fixed per-call cost for the padding-aware split (token-equivalents); undefined = estimated online. */
  batchOverheadTokens?: number;
  cacheEntries: number;
  cacheMaxBytes: number;
  onBatch?: (stats: BatchStats) => void;
  onCache?: (hit: boolean) => void;
  beforeBatch?: () => Promise<void>;
}

let nextGeneration = 1;

export class ModelSlot {
  private refs = 0;
  private releaseWaiters: Array<() => void> = [];
  readonly cache: LruCache<EncodedInput>;
  readonly batcher: MicroBatcher;
  readonly generation = nextGeneration++;
  /** When this model was loaded (GET /v1/models `created`). */
  readonly loadedAt = new Date();

  private constructor(
    readonly modelDir: string,
    readonly encoder: M3Encoder,
    readonly maxLength: number,
    readonly vocabSize: number,
    private readonly opts: SlotOptions,
  ) {
    this.cache = new LruCache(opts.cacheEntries, opts.cacheMaxBytes);
    this.batcher = new MicroBatcher(encoder.backend, {
      maxBatchTokens: opts.maxBatchTokens,
      maxWaitMs: opts.batchWaitMs,
      batchOverheadTokens: opts.batchOverheadTokens,
      parallelism: encoder.backend instanceof WorkerBackend ? encoder.backend.parallelism : 1,
      padId: encoder.tokenizer.padId,
      specialIds: encoder.tokenizer.specialIds,
      onBatch: opts.onBatch,
      beforeBatch: opts.beforeBatch,
    });
  }

  /** Where this slot's model runs: /health reports it. */
  get device(): ServingDevice {
    return this.opts.device ?? { ...CPU_SERVING, precision: precisionOfGraph(this.opts.onnxFile), reason: "default" };
  }

  static async load(modelDir: string, opts: SlotOptions): Promise<ModelSlot> {
    if (opts.device?.backend === "torch") {
      // The PyTorch backend on the GPU reads the checkpoint's weights, not an ONNX graph.
      const { encoder, maxLength } = await loadEncoder(modelDir, { backend: "torch", device: opts.device.device, dtype: opts.device.dtype, maxBatchTokens: opts.maxBatchTokens });
      return new ModelSlot(modelDir, encoder, maxLength, readVocabSize(modelDir), opts);
    }
    const executionProviders = opts.device?.executionProviders;
    if (opts.inferenceWorkers > 0) {
      // onnxruntime-node runs a session synchronously on the calling thread: keep it off the event loop
      const folder = openModelFolder(modelDir, { onnxFile: opts.onnxFile });
      const tokenizer = M3Tokenizer.fromFiles(folder.tokenizerJson, folder.tokenizerConfig);
      const backend = await WorkerBackend.start(folder.onnxPath, folder.dim, { threads: opts.threads, workers: opts.inferenceWorkers, executionProviders });
      const encoder = new M3Encoder(tokenizer, backend, { maxBatchTokens: opts.maxBatchTokens });
      return new ModelSlot(modelDir, encoder, folder.maxLength, readVocabSize(modelDir), opts);
    }
    const { encoder, maxLength } = await loadEncoder(modelDir, { threads: opts.threads, maxBatchTokens: opts.maxBatchTokens, onnxFile: opts.onnxFile, executionProviders });
    return new ModelSlot(modelDir, encoder, maxLength, readVocabSize(modelDir), opts);
  }

  get dim(): number {
    return this.encoder.dim;
  }

  acquire(): () => void {
    this.refs++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.refs === 0) for (const w of this.releaseWaiters.splice(0)) w();
    };
  }

  /** Waits until no request holds this slot, then closes the backend. */
  async retire(): Promise<void> {
    if (this.refs > 0) await new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
    await this.batcher.idle();
    this.cache.clear();
    await this.encoder.backend.close();
  }

  /**
   * Tokenizes every input (truncating to maxLength), then calls `check` with all of them before anything is
   * queued for the model (a request over its token budget, or with an input too long, is refused without
   * costing a batch); then serves from the cache where possible and submits the rest to the micro-batcher,
   * which cuts them into its own batches of at most maxBatchTokens.
   */
  async encode(inputs: readonly Input[], outputs: readonly OutputKind[], maxLength: number, check?: (tokens: readonly TokenizedInput[]) => void): Promise<EncodedInput[]> {
    const outKey = [...outputs].sort().join(",");
    const keyOf = (input: Input) => `${outKey}\u0000${maxLength}\u0000${"text" in input ? `t:${input.text}` : `i:${input.ids.join(",")}`}`;
    const keys = inputs.map(keyOf);
    const cached = keys.map((key) => this.cache.get(key));
    const tokens: TokenizedInput[] = inputs.map((input, i) => {
      const hit = cached[i];
      if (hit) return { ids: [], length: hit.length, fullLength: hit.fullLength, truncated: hit.truncated };
      const tok = "text" in input ? this.encoder.tokenizer.encode(input.text, maxLength) : this.wrapIds(input.ids, maxLength);
      return { ids: tok.ids, length: tok.ids.length, fullLength: tok.fullLength, truncated: tok.truncated };
    });
    check?.(tokens);
    const seen = new Map<string, Promise<EncodedInput>>();
    return Promise.all(
      keys.map((key, i) => {
        const dup = seen.get(key);
        if (dup) return dup;
        const hit = cached[i];
        this.opts.onCache?.(hit !== undefined);
        const p = hit ? Promise.resolve(hit) : this.encodeOne(tokens[i]!, outputs, key);
        seen.set(key, p);
        return p;
      }),
    );
  }

  private async encodeOne(tok: TokenizedInput, outputs: readonly OutputKind[], key: string): Promise<EncodedInput> {
    const out = await this.batcher.submit(tok.ids, outputs);
    const result: EncodedInput = { ...out, length: tok.length, fullLength: tok.fullLength, truncated: tok.truncated };
    const bytes = 64 + key.length * 2 + (out.dense?.byteLength ?? 0) + (out.colbert?.byteLength ?? 0) + (out.sparse?.size ?? 0) * 32;
    this.cache.set(key, result, bytes);
    return result;
  }

  /** Token-id input: adds `<s> … </s>` when absent and truncates like the tokenizer does. */
  private wrapIds(raw: number[], maxLength: number): { ids: number[]; fullLength: number; truncated: boolean } {
    const t = this.encoder.tokenizer;
    let ids = raw;
    if (ids[0] !== t.clsId) ids = [t.clsId, ...ids];
    if (ids[ids.length - 1] !== t.eosId) ids = [...ids, t.eosId];
    const fullLength = ids.length;
    if (fullLength <= maxLength) return { ids, fullLength, truncated: false };
    return { ids: [...ids.slice(0, Math.max(1, maxLength - 1)), t.eosId], fullLength, truncated: true };
  }

  /** BGEM3FlagModel.convert_id_to_token: the decoded string of one id. */
  tokenString(id: number): string {
    return this.encoder.tokenizer.decode([id]);
  }
}

function readVocabSize(dir: string): number {
  const cfg = path.join(dir, "config.json");
  if (existsSync(cfg)) {
    const v = (JSON.parse(readFileSync(cfg, "utf8")) as { vocab_size?: unknown }).vocab_size;
    if (typeof v === "number" && v > 0) return v;
  }
  const tok = JSON.parse(readFileSync(path.join(dir, "tokenizer.json"), "utf8")) as { model?: { vocab?: unknown } };
  const vocab = tok.model?.vocab;
  return Array.isArray(vocab) ? vocab.length : vocab && typeof vocab === "object" ? Object.keys(vocab).length : Number.MAX_SAFE_INTEGER;
}
