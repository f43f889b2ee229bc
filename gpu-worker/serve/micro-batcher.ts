import type { LexicalWeights } from "~/server/lib/retrieval/sparse";
import type { EncoderBackend, OutputKind } from "../inference/backend";
import { planBatches } from "../inference/batcher";

/**
 * Dynamic batching ACROSS concurrent requests (text-embeddings-inference style). Requests submit tokenized
 * items; the batcher waits up to `maxWaitMs` for more (or starts at once when `maxBatchTokens` are pending),
 * then takes a window of pending items in arrival order, sorts it by length into token-budget batches
 * (`planBatches`: batch size × padded length ≤ maxBatchTokens) and runs them one at a time on the backend,
 * resolving each item as soon as its batch is done. Items that arrive meanwhile form the next window.
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

  constructor(
    private readonly backend: EncoderBackend,
    private readonly opts: MicroBatcherOptions,
  ) {}

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
    const plan = planBatches(items.map((it) => it.ids.length), this.opts.maxBatchTokens, this.backend.maxBatch);
    for (const batch of plan.batches) {
      const members = batch.map((i) => items[i]!);
      try {
        await this.opts.beforeBatch?.();
        const outputs = [...new Set(members.flatMap((m) => m.outputs))];
        const t0 = performance.now();
        const out = await this.backend.run(members.map((m) => m.ids), this.opts.padId, outputs);
        const seq = out.seq;
        const dim = out.dim;
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
