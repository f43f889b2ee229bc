/**
 * Resource series of a run (sampled by the worker while the trainer runs; charted on the run page).
 * They live in `MetricPoint` beside the trainer's series, but their `step` is whole SECONDS since the run
 * first started, not a training step — so they are kept out of step-based handling (a resume drops
 * trainer points past its checkpoint step; system points stay). Pure: imported by the browser too.
 */
export const SYSTEM_PREFIX = "system/";

export const SYSTEM = {
  /** CPU of the trainer's process tree, top-style: 100 = one core fully busy. */
  cpuPercent: "system/cpu_percent",
  /** Resident memory of the trainer's process tree (sum of VmRSS), MiB. */
  rssMb: "system/rss_mb",
  /** Host memory in use (MemTotal − MemAvailable) and installed, MiB. */
  memUsedMb: "system/mem_used_mb",
  memTotalMb: "system/mem_total_mb",
} as const;

export const gpuSeries = (index: number) => ({
  utilPercent: `system/gpu${index}_util_percent`,
  memUsedMb: `system/gpu${index}_mem_mb`,
  memTotalMb: `system/gpu${index}_mem_total_mb`,
});

export const isSystemSeries = (name: string) => name.startsWith(SYSTEM_PREFIX);

/** The GPU indices that have series, in order (none: the worker had no nvidia-smi). */
export function gpuIndices(names: Iterable<string>): number[] {
  const out = new Set<number>();
  for (const n of names) {
    const m = /^system\/gpu(\d+)_util_percent$/.exec(n);
    if (m) out.add(Number(m[1]));
  }
  return [...out].sort((a, b) => a - b);
}
