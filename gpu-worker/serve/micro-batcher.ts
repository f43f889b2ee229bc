import type { LexicalWeights } from "~/server/lib/retrieval/sparse";
import type { EncoderBackend, OutputKind } from "../inference/backend";

/**
 * Dynamic batching ACROSS concurrent requests (text-embeddings-inference style). Requests submit tokenized
 * items; the batcher waits up to `maxWaitMs` for more (or starts at once when `maxBatchTokens` are pending),
 * then takes a window of pending items in arrival order, sorts it by length and splits it into batches
 * (`planPaddingAware`: batch size × padded length ≤ maxBatchTokens, padding traded against per-call overhead)
 * and runs them on the backend, resolving each item as soon as its batch is done. Items that arrive meanwhile form the next window.
 * Post-processing is M3Encoder's (FlagEmbedding v1.4): dense as is, sparse max per token id without special
 * ids and weights ≤ 0, ColBERT rows trimmed to the text's length − 1.
 */
export interface ItemOutputs {
  dense?: Float32Array;
  sparse?: LexicalWeights;
  colbert?: Float32Array;
}

export interface BatchStats {
  size: number;
  paddedTokens: number;
  realTokens: number;
  seconds: number;
}

export interface MicroBatcherOptions {
  maxBatchTokens: number;
  maxWaitMs: number;
  /**
   * Fixed cost of one backend call in token-equivalents, for the padding-aware split. Default: estimated online
   * from the batches run (least squares of time against padded tokens), starting at 256.
   */
  batchOverheadTokens?: number;
  /** Batches that may run at once (the backend's worker count); default 1. */
  parallelism?: number;
  padId: number;
  specialIds: ReadonlySet<number>;
  onBatch?: (stats: BatchStats) => void;
  /** Test hook: awaited before every backend run (lets a test hold work in flight deterministically). */
  beforeBatch?: () => Promise<void>;
}

type Item = {
  ids: number[];
  outputs: readonly OutputKind[];
  resolve: (o: ItemOutputs) => void;
  reject: (e: unknown) => void;
};

export class MicroBatcher {
  private queue: Item[] = [];
  private pendingTokens = 0;
  private runners = 0;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private readonly cost = new CostModel(256);

  constructor(
    private readonly backend: EncoderBackend,
    private readonly opts: MicroBatcherOptions,
  ) {}

  /** Current per-call overhead in token-equivalents used to split windows. */
  get overheadTokens(): number {
    return this.opts.batchOverheadTokens ?? this.cost.overheadTokens();
  }

  /** Items waiting for a batch (not counting the batch being run). */
  get pending(): number {
    return this.queue.length;
  }

  submit(ids: number[], outputs: readonly OutputKind[]): Promise<ItemOutputs> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ids, outputs, resolve, reject });
      this.pendingTokens += ids.length;
      this.schedule();
    });
  }

  private schedule(): void {
    const max = this.opts.parallelism ?? 1;
    if (this.runners >= max || this.queue.length === 0) return; // a busy runner picks new items up when done
    if (this.runners > 0 || this.pendingTokens >= this.opts.maxBatchTokens) {
      // items queued while another batch runs have waited already; a full budget need not wait
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.loop();
      if (this.runners < max && this.queue.length > 0) this.schedule();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.loop();
      }, this.opts.maxWaitMs);
    }
  }

  private async loop(): Promise<void> {
    this.runners++;
    try {
      while (this.queue.length > 0) await this.runWindow(this.takeWindow());
    } finally {
      this.runners--;
      if (this.queue.length > 0) this.schedule();
      else if (this.runners === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Arrival-ordered window of about four batches' worth of tokens (bounded latency, better length sorting). */
  private takeWindow(): Item[] {
    const budget = this.opts.maxBatchTokens * 4;
    let tokens = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || tokens + this.queue[n]!.ids.length <= budget)) tokens += this.queue[n++]!.ids.length;
    this.pendingTokens -= tokens;
    return this.queue.splice(0, n);
  }

  private async runWindow(items: Item[]): Promise<void> {
    const plan = planPaddingAware(items.map((it) => it.ids.length), this.opts.maxBatchTokens, this.backend.maxBatch, this.overheadTokens);
    for (const batch of plan) {
      const members = batch.map((i) => items[i]!);
      try {
        await this.opts.beforeBatch?.();
        const outputs = [...new Set(members.flatMap((m) => m.outputs))];
        const t0 = performance.now();
        const out = await this.backend.run(members.map((m) => m.ids), this.opts.padId, outputs);
        const seq = out.seq;
        const dim = out.dim;
        this.cost.observe(members.length * seq, (performance.now() - t0) / 1000);
        this.opts.onBatch?.({
          size: members.length,
          paddedTokens: members.length * seq,
          realTokens: members.reduce((s, m) => s + m.ids.length, 0),
          seconds: (performance.now() - t0) / 1000,
        });
        members.forEach((m, b) => {
          const r: ItemOutputs = {};
          if (out.dense && m.outputs.includes("dense")) r.dense = out.dense.slice(b * dim, (b + 1) * dim);
          if (out.sparse && m.outputs.includes("sparse")) {
            const w: LexicalWeights = new Map();
            for (let j = 0; j < m.ids.length; j++) {
              const id = m.ids[j]!;
              const v = out.sparse[b * seq + j]!;
              if (v <= 0 || this.opts.specialIds.has(id)) continue;
              if (v > (w.get(id) ?? 0)) w.set(id, v);
            }
            r.sparse = w;
          }
          if (out.colbert && m.outputs.includes("colbert")) {
            const start = b * (seq - 1) * dim;
            r.colbert = out.colbert.slice(start, start + (m.ids.length - 1) * dim);
          }
          m.resolve(r);
        });
      } catch (e) {
        for (const m of members) m.reject(e);
      }
    }
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.runners === 0 && this.queue.length === 0 && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

/**
 * Splits inputs into batches that minimise the model's work: inputs sorted by length (longest first, ties by
 * index), cut into contiguous groups by dynamic programming over cost(group) = overhead + size × longest, subject
 * to size × longest ≤ maxTokens and size ≤ maxBatch. Unlike greedy packing (inference/batcher.ts planBatches, made
 * for large offline corpora), a small window of mixed lengths is not padded to its longest input when splitting
 * is cheaper. O(n²) in the window size (a few hundred inputs at most).
 */
export function planPaddingAware(lengths: readonly number[], maxTokens: number, maxBatch: number, overhead: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const n = order.length;
  const best = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    // group = order[i-1 .. j-1]; its longest is order[i-1]
    for (let i = j; i >= 1; i--) {
      const size = j - i + 1;
      const longest = lengths[order[i - 1]!]!;
      if (size > 1 && (size * longest > maxTokens || size > maxBatch)) break; // larger groups only get bigger
      const c = best[i - 1]! + overhead + size * longest;
      if (c < best[j]!) {
        best[j] = c;
        cut[j] = i - 1;
      }
    }
  }
  const batches: number[][] = [];
  for (let j = n; j > 0; j = cut[j]!) batches.unshift(order.slice(cut[j]!, j));
  return batches;
}

/**
 * Online estimate of a backend call's cost, seconds ≈ a + b · paddedTokens, by exponentially weighted least
 * squares over recent batches. a / b (the fixed cost in token-equivalents) is what the split trades padding
 * against: large on a busy shared CPU (thread wake-ups are slow), small on a quiet one.
 */
export class CostModel {
  private w = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;

  constructor(
    private readonly initial: number,
    private readonly decay = 0.98,
  ) {}

  observe(tokens: number, seconds: number): void {
    const d = this.decay;
    this.w = this.w * d + 1;
    this.sx = this.sx * d + tokens;
    this.sy = this.sy * d + seconds;
    this.sxx = this.sxx * d + tokens * tokens;
    this.sxy = this.sxy * d + tokens * seconds;
  }

  overheadTokens(): number {
    if (this.w < 8) return this.initial;
    const varX = this.sxx / this.w - (this.sx / this.w) ** 2;
    if (varX <= 1) return this.initial; // all batches alike: nothing to learn from
    const b = (this.sxy / this.w - (this.sx / this.w) * (this.sy / this.w)) / varX;
    const a = this.sy / this.w - b * (this.sx / this.w);
    if (!(b > 0) || !(a > 0)) return this.initial;
    return Math.min(4096, Math.max(16, a / b));
  }
}
