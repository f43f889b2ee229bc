/**
 * Inference worker thread: owns one onnxruntime session (OrtBackend from gpu-worker/inference) and runs padded
 * batches posted by WorkerBackend. onnxruntime-node's `session.run` is synchronous on the calling thread, so
 * running it here keeps the server's event loop free for HTTP, tokenization and 429s while a batch computes.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { OutputKind } from "../inference/backend";
import { OrtBackend } from "../inference/ort-backend";

export interface WorkerInit {
  onnxPath: string;
  dim: number | null;
  threads: number;
  /** onnxruntime execution providers in order (default ["cpu"]; ["cuda", "cpu"] on a GPU). */
  executionProviders?: string[];
}
export type WorkerRequest = { kind: "run"; id: number; ids: number[][]; padId: number; outputs: OutputKind[] } | { kind: "close" };

const init = workerData as WorkerInit;
const port = parentPort!;
try {
  const backend = await OrtBackend.load(init.onnxPath, init.dim, { threads: init.threads, executionProviders: init.executionProviders });
  port.postMessage({ kind: "ready", dim: backend.dim, maxBatch: backend.maxBatch });
  port.on("message", async (msg: WorkerRequest) => {
    if (msg.kind === "close") {
      await backend.close();
      port.close();
      return;
    }
    try {
      const out = await backend.run(msg.ids, msg.padId, msg.outputs);
      const transfer = [out.dense, out.sparse, out.colbert].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
      port.postMessage({ kind: "result", id: msg.id, out }, transfer);
    } catch (e) {
      port.postMessage({ kind: "result", id: msg.id, error: (e as Error).message });
    }
  });
} catch (e) {
  port.postMessage({ kind: "failed", error: (e as Error).message });
}
