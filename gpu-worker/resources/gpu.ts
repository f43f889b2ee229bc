import { execFile } from "node:child_process";

/**
 * GPU utilisation and memory from `nvidia-smi` (device-wide figures, not per process: what the driver
 * reports). A worker without the tool — or whose driver fails — simply has no GPU series.
 */
export interface GpuSample {
  index: number;
  utilPercent: number;
  memUsedMb: number;
  memTotalMb: number;
}

/** `--query-gpu=utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`: one line per GPU. */
export function parseNvidiaSmi(stdout: string, indices?: number[]): GpuSample[] {
  const out: GpuSample[] = [];
  const lines = stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  lines.forEach((line, i) => {
    const [util, used, total] = line.split(",").map((s) => Number(s.trim()));
    // "[N/A]" (e.g. utilisation on some MIG or vGPU setups) parses as NaN: that GPU is skipped, not reported as 0.
    if ([util, used, total].every((v) => Number.isFinite(v))) out.push({ index: indices?.[i] ?? i, utilPercent: util!, memUsedMb: used!, memTotalMb: total! });
  });
  return out;
}

/**
 * The GPUs this worker's jobs can see: CUDA_VISIBLE_DEVICES when it lists indices (nvidia-smi numbers
 * every GPU of the host), otherwise all of them.
 */
export function visibleGpuIndices(env: Record<string, string | undefined> = process.env): number[] | undefined {
  const v = env.CUDA_VISIBLE_DEVICES?.trim();
  if (!v || !/^\d+(,\d+)*$/.test(v)) return undefined;
  return v.split(",").map(Number);
}

export type GpuQuery = () => Promise<GpuSample[] | null>;

/** Null when nvidia-smi is absent or fails (the caller stops asking after the first absence). */
export function nvidiaSmiQuery(bin = "nvidia-smi", env: Record<string, string | undefined> = process.env): GpuQuery {
  const indices = visibleGpuIndices(env);
  const args = ["--query-gpu=utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits", ...(indices ? ["-i", indices.join(",")] : [])];
  return () => new Promise((resolve) => {
    execFile(bin, args, { timeout: 5000 }, (err, stdout) => resolve(err ? null : parseNvidiaSmi(stdout, indices)));
  });
}
