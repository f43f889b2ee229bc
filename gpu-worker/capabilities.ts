import { execFile } from "node:child_process";
import os from "node:os";
import { promisify } from "node:util";
import type { Capability } from "../server/jobs/types";
import { installedOrtProviders } from "./inference/ort-providers";

const run = promisify(execFile);

export interface Gpu {
  index: number;
  name: string;
  memoryMiB: number;
}

export interface WorkerCapabilities {
  cpuCores: number;
  memoryMiB: number;
  gpus: Gpu[];
  torch: { available: boolean; version?: string; cuda?: boolean; bf16?: boolean };
  /** onnxruntime-node execution providers that can run here ("cpu"; "cuda" when its library is installed). */
  ortProviders: string[];
  python: string;
  provides: Capability[];
}

/** GPUs as nvidia-smi reports them; none when the tool is missing or fails. */
async function detectGpus(): Promise<Gpu[]> {
  try {
    const { stdout } = await run("nvidia-smi", ["--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"], { timeout: 10_000 });
    return stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [index, name, memory] = line.split(",").map((s) => s.trim());
        return { index: Number(index), name: name ?? "GPU", memoryMiB: Number(memory) };
      });
  } catch {
    return [];
  }
}

async function detectTorch(python: string): Promise<WorkerCapabilities["torch"]> {
  try {
    const { stdout } = await run(python, ["-c", "import json, torch; c = torch.cuda.is_available(); print(json.dumps({'version': torch.__version__, 'cuda': c, 'bf16': bool(c and torch.cuda.is_bf16_supported())}))"], { timeout: 60_000 });
    const info = JSON.parse(stdout.trim()) as { version: string; cuda: boolean; bf16: boolean };
    return { available: true, ...info };
  } catch {
    return { available: false };
  }
}

function ortProviders(): string[] {
  try {
    return installedOrtProviders();
  } catch {
    return ["cpu"]; // onnxruntime-node missing or broken: the serve jobs will say so when they load a model
  }
}

export async function detectCapabilities(python = process.env.M3_PYTHON ?? "/usr/bin/python3"): Promise<WorkerCapabilities> {
  const [gpus, torch] = await Promise.all([detectGpus(), detectTorch(python)]);
  const provides: Capability[] = ["cpu"];
  if (torch.available) provides.push("torch");
  if (gpus.length > 0 && torch.cuda) provides.push("gpu");
  return {
    cpuCores: os.cpus().length,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    gpus,
    torch,
    ortProviders: ortProviders(),
    python,
    provides,
  };
}
