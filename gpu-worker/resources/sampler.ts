import { gpuSeries, SYSTEM } from "~/server/services/experiments/system-series";
import type { GpuQuery } from "./gpu";
import { clockTicksPerSecond, readMeminfo, readProcessTree } from "./proc";

/**
 * Samples a process tree (CPU %, RSS), the host's memory and, where nvidia-smi answers, every visible GPU,
 * every `intervalMs`, and hands each sample over as metric points whose step is whole seconds since
 * `startedAt` (see system-series.ts). The first sample only sets the CPU baseline (a rate needs two reads).
 */
export interface Point {
  name: string;
  step: number;
  value: number;
}

export interface TreeUsage {
  /** Null on the first read (no baseline yet). */
  cpuPercent: number | null;
  rssMb: number;
  processes: number;
}

/** CPU % between consecutive reads of the tree under `pid`; processes are keyed by pid + start time. */
export function treeUsage(pid: number, procRoot = "/proc") {
  let prev: { at: number; ticks: Map<string, number> } | null = null;
  const hz = clockTicksPerSecond();
  return async (): Promise<TreeUsage | null> => {
    const tree = await readProcessTree(pid, procRoot);
    const at = performance.now();
    // Nothing left alive (the trainer exited and waits to be reaped): no sample rather than a false 0 MB.
    if (!tree || tree.length === 0) return null;
    const ticks = new Map(tree.map((p) => [`${p.pid}:${p.starttime}`, p.ticks]));
    let cpuPercent: number | null = null;
    if (prev && at > prev.at) {
      let delta = 0;
      // A process new since the last read counts from zero: it started after that read.
      for (const [key, t] of ticks) delta += Math.max(0, t - (prev.ticks.get(key) ?? 0));
      cpuPercent = (delta / hz / ((at - prev.at) / 1000)) * 100;
    }
    prev = { at, ticks };
    return { cpuPercent, rssMb: tree.reduce((s, p) => s + p.rssKb, 0) / 1024, processes: tree.length };
  };
}

export interface SamplerOptions {
  pid: number;
  /** Epoch ms the series' seconds count from (the run's first start, so a resumed attempt continues the axis). */
  startedAt: number;
  intervalMs: number;
  onPoints: (points: Point[]) => void;
  /** nvidia-smi (or a stand-in); null: no GPU series. */
  gpu: GpuQuery | null;
  procRoot?: string;
}

export function startResourceSampler(o: SamplerOptions) {
  const tree = treeUsage(o.pid, o.procRoot);
  let gpu = o.gpu;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();

  const sampleOnce = async () => {
    const step = Math.max(0, Math.round((Date.now() - o.startedAt) / 1000));
    const [usage, mem, gpus] = await Promise.all([tree(), readMeminfo(o.procRoot), gpu ? gpu() : Promise.resolve(null)]);
    if (gpus === null) gpu = null; // absent or failing: stop asking for the rest of the run
    const points: Point[] = [];
    if (usage) {
      if (usage.cpuPercent !== null) points.push({ name: SYSTEM.cpuPercent, step, value: round(usage.cpuPercent) });
      points.push({ name: SYSTEM.rssMb, step, value: round(usage.rssMb) });
    }
    if (mem) {
      points.push({ name: SYSTEM.memUsedMb, step, value: round((mem.totalKb - mem.availableKb) / 1024) });
      points.push({ name: SYSTEM.memTotalMb, step, value: round(mem.totalKb / 1024) });
    }
    for (const g of gpus ?? []) {
      const s = gpuSeries(g.index);
      points.push({ name: s.utilPercent, step, value: g.utilPercent }, { name: s.memUsedMb, step, value: g.memUsedMb }, { name: s.memTotalMb, step, value: g.memTotalMb });
    }
    if (points.length && !stopped) o.onPoints(points);
  };
  const tick = () => {
    inFlight = sampleOnce()
      .catch(() => undefined) // a failed read loses one sample, never the run
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, o.intervalMs);
      });
  };
  tick();
  return {
    /** Stops sampling; resolves once an in-flight sample has been handed over or dropped. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
