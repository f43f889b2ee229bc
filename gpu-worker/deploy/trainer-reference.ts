import { spawn } from "node:child_process";
import path from "node:path";

const GPU_WORKER = path.resolve(import.meta.dirname, "..");

/** What `python3 -m trainer probe` returns per input row (trainer/probe.py): PyTorch fp32 on the CPU. */
export interface ReferenceOutputs {
  dense: number[][];
  /** Token id (as a string) → weight, specials and zero weights dropped, max per id. */
  sparse: Record<string, number>[];
  /** One vector per token after <s>. */
  colbert: number[][][];
}

/**
 * PyTorch's outputs of the checkpoint folder `modelDir` on token-id rows, computed by the trainer package: the
 * reference a deployment's served outputs are held to (deploy/parity-probe.ts). Rejects, naming the folder, when
 * the trainer fails (the last stderr line says why) or is aborted.
 */
export function trainerReference(modelDir: string, inputIds: number[][], specialIds: Iterable<number>, signal?: AbortSignal): Promise<ReferenceOutputs> {
  const python = process.env.M3_PYTHON ?? "/usr/bin/python3";
  return new Promise((resolve, reject) => {
    const child = spawn(python, ["-m", "trainer", "probe", "--model", path.resolve(modelDir)], { cwd: GPU_WORKER, stdio: ["pipe", "pipe", "pipe"], signal });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      let msg: (ReferenceOutputs & { event?: string; reason?: string }) | null = null;
      try {
        msg = JSON.parse(last) as ReferenceOutputs & { event?: string; reason?: string };
      } catch {
        /* reported below */
      }
      if (code === 0 && msg?.event === "probe") return resolve(msg);
      reject(new Error(`PyTorch reference of ${modelDir} failed (trainer probe exit ${code}): ${msg?.reason ?? stderr.trim().split("\n").pop() ?? ""}`));
    });
    child.stdin.end(JSON.stringify({ input_ids: inputIds, special_ids: [...specialIds] }));
  });
}
