import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { padBatch, type BackendHealth, type BatchOutputs, type EncoderBackend, type OutputKind } from "./backend";
import { BackendError } from "./errors";

/**
 * PyTorch backend: `python3 -m trainer encode --model DIR` as a child process speaking JSON lines
 * (docs/CONTRACTS.md). Used on GPU hosts, where onnxruntime-node has no CUDA provider here, and as the
 * reference in the parity test. One request in flight per batch; requests are matched by id.
 */
export interface TorchBackendOptions {
  /** Python with torch: default $M3_PYTHON, else /usr/bin/python3 (Debian's torch here). */
  python?: string;
  device?: "cpu" | "cuda";
  dtype?: "fp32" | "fp16" | "bf16";
  maxBatch?: number;
  /** Folder containing the `trainer` package (default: gpu-worker). */
  trainerRoot?: string;
  startTimeoutMs?: number;
}

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void };

export class TorchBackend implements EncoderBackend {
  readonly name = "torch";
  private pending = new Map<string, Pending>();
  private nextId = 0;
  private stderrTail: string[] = [];
  private exited: Error | null = null;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly dim: number, readonly maxBatch: number) {}

  static start(modelDir: string, opts: TorchBackendOptions = {}): Promise<TorchBackend> {
    const args = ["-m", "trainer", "encode", "--model", path.resolve(modelDir), "--device", opts.device ?? "cpu", "--dtype", opts.dtype ?? "fp32"];
    const child = spawn(opts.python ?? process.env.M3_PYTHON ?? "/usr/bin/python3", args, {
      cwd: opts.trainerRoot ?? path.resolve(import.meta.dirname, ".."),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stderrTail: string[] = [];
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (s: string) => {
      stderrTail.push(...s.split("\n").filter(Boolean));
      if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
    });
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      let backend: TorchBackend | null = null;
      const timer = setTimeout(() => {
        child.kill("SIGTERM");
        reject(new BackendError(`torch backend did not start within ${opts.startTimeoutMs ?? 120_000} ms: ${stderrTail.join("\n")}`));
      }, opts.startTimeoutMs ?? 120_000);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(new BackendError(`cannot start ${args.join(" ")}: ${e.message}`));
      });
      child.on("exit", (code, sig) => {
        clearTimeout(timer);
        const err = new BackendError(`torch backend exited (code ${code}, signal ${sig}): ${stderrTail.slice(-10).join("\n")}`);
        if (!backend) reject(err);
        else backend.fail(err);
      });
      lines.on("line", (line) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          stderrTail.push(`[stdout] ${line}`);
          return;
        }
        if (!backend) {
          if (msg.event === "ready") {
            clearTimeout(timer);
            backend = new TorchBackend(child, Number(msg.dim), opts.maxBatch ?? 64);
            backend.stderrTail = stderrTail;
            resolve(backend);
          }
          return;
        }
        const id = String(msg.id);
        const p = backend.pending.get(id);
        if (!p) return;
        backend.pending.delete(id);
        if (typeof msg.error === "string") p.reject(new BackendError(`torch backend: ${msg.error}`));
        else p.resolve(msg);
      });
    });
  }

  private fail(err: Error) {
    this.exited = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async health(): Promise<BackendHealth> {
    if (this.exited) return { ok: false, backend: this.name, dim: this.dim, detail: this.exited.message };
    try {
      const out = await this.run([[0, 2]], 1, ["dense"]);
      return { ok: out.dense !== undefined && out.dense.every(Number.isFinite), backend: this.name, dim: this.dim };
    } catch (e) {
      return { ok: false, backend: this.name, dim: this.dim, detail: (e as Error).message };
    }
  }

  async run(ids: readonly number[][], padId: number, outputs: readonly OutputKind[]): Promise<BatchOutputs> {
    if (this.exited) throw this.exited;
    if (ids.length === 0) return { batch: 0, seq: 0, dim: this.dim };
    const { seq } = padBatch(ids, padId);
    const id = `r${this.nextId++}`;
    const request = {
      id,
      input_ids: ids.map((r) => [...r, ...Array<number>(seq - r.length).fill(padId)]),
      attention_mask: ids.map((r) => [...Array<number>(r.length).fill(1), ...Array<number>(seq - r.length).fill(0)]),
    };
    const msg = await new Promise<Record<string, unknown>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(JSON.stringify(request) + "\n");
    });
    const B = ids.length;
    const dim = this.dim;
    const out: BatchOutputs = { batch: B, seq, dim };
    if (outputs.includes("dense")) {
      out.dense = new Float32Array(B * dim);
      (msg.dense as number[][]).forEach((row, b) => out.dense!.set(row, b * dim));
    }
    if (outputs.includes("sparse")) {
      out.sparse = new Float32Array(B * seq);
      (msg.sparse as number[][]).forEach((row, b) => out.sparse!.set(row.slice(0, seq), b * seq));
    }
    if (outputs.includes("colbert")) {
      out.colbert = new Float32Array(B * (seq - 1) * dim);
      (msg.colbert as number[][][]).forEach((rows, b) =>
        rows.slice(0, seq - 1).forEach((v, t) => out.colbert!.set(v, (b * (seq - 1) + t) * dim)),
      );
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.stdin.end();
      setTimeout(() => {
        if (!this.exited) this.child.kill("SIGTERM");
      }, 5000).unref();
    });
  }
}
