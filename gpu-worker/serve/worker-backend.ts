import { Worker } from "node:worker_threads";
import { probeHealth, type BackendHealth, type BatchOutputs, type EncoderBackend, type OutputKind } from "../inference/backend";
import { BackendError, ModelFolderError } from "../inference/errors";
import type { WorkerInit, WorkerRequest } from "./ort-worker";

/**
 * EncoderBackend that runs onnxruntime in `workers` worker threads (one session each; memory × workers).
 * Batches go to the worker with the fewest batches in flight. Same interface as OrtBackend, so M3Encoder and
 * the micro-batcher use it unchanged; `parallelism` tells the batcher how many batches may run at once.
 */
type Pending = { resolve: (o: BatchOutputs) => void; reject: (e: Error) => void };

class OrtWorker {
  readonly pending = new Map<number, Pending>();
  /** Set when the thread has exited (crash or close): it takes no more batches. */
  dead: string | null = null;
  private constructor(readonly worker: Worker) {}

  static start(init: WorkerInit): Promise<{ w: OrtWorker; dim: number; maxBatch: number }> {
    // A JS entry that registers tsx inside the worker thread, then imports ort-worker.ts.
    const worker = new Worker(new URL("./ort-worker-entry.mjs", import.meta.url), { workerData: init });
    const w = new OrtWorker(worker);
    return new Promise((resolve, reject) => {
      const onMessage = (msg: { kind: string; id?: number; out?: BatchOutputs; error?: string; dim?: number; maxBatch?: number }) => {
        if (msg.kind === "ready") resolve({ w, dim: msg.dim!, maxBatch: msg.maxBatch! });
        else if (msg.kind === "failed") {
          void worker.terminate();
          reject(new ModelFolderError(msg.error ?? "inference worker failed to start", init.onnxPath));
        } else if (msg.kind === "result") {
          const p = w.pending.get(msg.id!);
          w.pending.delete(msg.id!);
          if (msg.error !== undefined) p?.reject(new BackendError(msg.error));
          else p?.resolve(msg.out!);
        }
      };
      worker.on("message", onMessage);
      const fail = (why: string) => {
        w.dead ??= why;
        for (const p of w.pending.values()) p.reject(new BackendError(why));
        w.pending.clear();
      };
      worker.once("error", (e) => {
        fail(`inference worker crashed: ${e.message}`);
        reject(e);
      });
      worker.once("exit", (code) => {
        fail(`inference worker exited (code ${code})`);
        reject(new BackendError(`inference worker exited (code ${code}) before it was ready`));
      });
    });
  }
}

export class WorkerBackend implements EncoderBackend {
  readonly name = "onnxruntime-worker";
  private nextId = 1;
  private constructor(
    private readonly workers: OrtWorker[],
    readonly dim: number,
    readonly maxBatch: number,
  ) {}

  get parallelism(): number {
    return this.workers.length;
  }

  static async start(onnxPath: string, dim: number | null, opts: { threads: number; workers: number; executionProviders?: string[] }): Promise<WorkerBackend> {
    const init = { onnxPath, dim, threads: opts.threads, executionProviders: opts.executionProviders };
    const started = await Promise.all(Array.from({ length: Math.max(1, opts.workers) }, () => OrtWorker.start(init)));
    return new WorkerBackend(started.map((s) => s.w), started[0]!.dim, started[0]!.maxBatch);
  }

  health(): Promise<BackendHealth> {
    return probeHealth(this);
  }

  run(ids: readonly number[][], padId: number, outputs: readonly OutputKind[]): Promise<BatchOutputs> {
    const live = this.workers.filter((x) => !x.dead);
    if (live.length === 0) return Promise.reject(new BackendError(this.workers[0]?.dead ?? "no inference worker"));
    const w = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      const msg: WorkerRequest = { kind: "run", id, ids: ids as number[][], padId, outputs: [...outputs] };
      w.worker.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.dead) return resolve();
            w.worker.once("exit", () => resolve());
            w.worker.postMessage({ kind: "close" } satisfies WorkerRequest);
            setTimeout(() => void w.worker.terminate(), 5000).unref();
          }),
      ),
    );
  }
}
