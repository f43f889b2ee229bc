import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { PRECISION_ONNX_FILE, type Precision } from "../../server/services/deployments/precision";
import type { ServingDevice } from "../../server/lib/serving-device";
import { ensureOnnx } from "./ensure-onnx";

const GPU_WORKER = path.resolve(import.meta.dirname, "..");

function runPython(args: string[], log: (line: string) => Promise<void>, signal: AbortSignal, what: string): Promise<void> {
  const python = process.env.M3_PYTHON ?? "/usr/bin/python3";
  return new Promise<void>((resolve, reject) => {
    const child = spawn(python, args, { cwd: GPU_WORKER, stdio: ["ignore", "pipe", "pipe"], signal });
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => void log(chunk.toString().trim()));
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}): ${stderr.trim().split("\n").pop() ?? ""}`))));
  });
}

/**
 * The ONNX graph a precision serves, made when missing: fp32 by the trainer's export (parity-checked
 * against PyTorch), int8 by quantize_int8.py from the fp32 graph, fp16 by `export --fp16`. Every writer
 * renames a finished temp file, so replicas preparing the same folder at once do not corrupt it.
 * Returns the graph's path relative to the model folder. `modelDir` is a working folder
 * (server/services/models/folder-access.ts workingModelFolder): these writes never reach a registered folder.
 */
export async function ensurePrecisionGraph(modelDir: string, precision: Precision, log: (line: string) => Promise<void>, signal: AbortSignal): Promise<string> {
  await ensureOnnx(modelDir, log, signal);
  const file = PRECISION_ONNX_FILE[precision];
  if (existsSync(path.join(modelDir, file))) return file;
  if (precision === "int8") {
    await log("quantising the ONNX graph to int8 (dynamic, per-column weight scales)");
    await runPython(["inference/quantize/quantize_int8.py", modelDir], log, signal, "int8 quantisation");
  } else if (precision === "fp16") {
    await log("exporting an fp16 ONNX graph");
    await runPython(["-m", "trainer", "export", "--model", modelDir, "--fp16"], log, signal, "fp16 export");
  }
  if (!existsSync(path.join(modelDir, file))) throw new Error(`${file} was not written`);
  return file;
}

/**
 * The graph a deployment serves on `device`: the precision's graph on onnxruntime; on the PyTorch backend (a GPU
 * without onnxruntime's CUDA provider) only the fp32 graph — the parity-checked export the accuracy check's fp32
 * side runs — since PyTorch serves the checkpoint's weights itself (exporting an fp16 graph would be wasted work).
 */
export async function ensureServedGraph(modelDir: string, precision: Precision, device: ServingDevice, log: (line: string) => Promise<void>, signal: AbortSignal): Promise<string> {
  if (device.backend !== "torch") return ensurePrecisionGraph(modelDir, precision, log, signal);
  await ensureOnnx(modelDir, log, signal);
  return PRECISION_ONNX_FILE.fp32;
}
