import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const GPU_WORKER = path.resolve(import.meta.dirname, "..");

/**
 * Exports `modelDir/onnx/model.onnx` with the trainer (which checks parity with PyTorch) when missing.
 * `modelDir` is a working folder (server/services/models/folder-access.ts), never a registered one.
 */
export async function ensureOnnx(modelDir: string, log: (line: string) => Promise<void>, signal: AbortSignal): Promise<void> {
  if (existsSync(path.join(modelDir, "onnx", "model.onnx"))) return;
  await log(`exporting ${modelDir} to ONNX (opset 17)`);
  const python = process.env.M3_PYTHON ?? "/usr/bin/python3";
  await new Promise<void>((resolve, reject) => {
    const child = spawn(python, ["-m", "trainer", "export", "--model", modelDir], { cwd: GPU_WORKER, stdio: ["ignore", "pipe", "pipe"], signal });
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => void log(chunk.toString().trim()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ONNX export failed (exit ${code}): ${stderr.trim().split("\n").pop() ?? ""}`))));
  });
}
