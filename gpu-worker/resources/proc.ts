import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

/**
 * Linux /proc readers for the run page's resource charts: CPU time and resident memory of a process tree
 * (the trainer and its children — torchrun's ranks, DataLoader workers) and the host's memory.
 * The parsers are pure (tested with fixture text); the readers return null where /proc is missing.
 */

export interface ProcStat {
  pid: number;
  ppid: number;
  /** R, S, D, Z (zombie: exited, not yet reaped), ... */
  state: string;
  /** utime + stime, in clock ticks (children's cutime/cstime are left out: a reaped child would count twice). */
  ticks: number;
  /** Start time after boot, in clock ticks: with the pid it identifies a process across pid reuse. */
  starttime: number;
}

/**
 * One line of /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself contain spaces
 * and parentheses, so the fields are counted from the last ")".
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ")": field 3 (state) is index 0, so field n is index n - 3.
  const f = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(f[4 - 3]);
  const utime = Number(f[14 - 3]);
  const stime = Number(f[15 - 3]);
  const starttime = Number(f[22 - 3]);
  if (![pid, ppid, utime, stime, starttime].every(Number.isFinite)) return null;
  return { pid, ppid, state: f[0]!, ticks: utime + stime, starttime };
}

/** VmRSS of /proc/<pid>/status in kB; null for a kernel thread or a zombie (no VmRSS line). */
export function parseStatusRssKb(text: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** MemTotal and MemAvailable of /proc/meminfo, in kB (used = total − available, as `free` reports it). */
export function parseMeminfo(text: string): { totalKb: number; availableKb: number } | null {
  const total = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  const available = /^MemAvailable:\s+(\d+)\s*kB/m.exec(text);
  if (!total || !available) return null;
  return { totalKb: Number(total[1]), availableKb: Number(available[1]) };
}

/** The pids of `root` and all its descendants, from a pid → parent map. */
export function descendants(root: number, parents: Map<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    let list = children.get(ppid);
    if (!list) children.set(ppid, (list = []));
    list.push(pid);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (!parents.has(pid) || out.includes(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

let clockTicks: number | null = null;
/** USER_HZ (clock ticks per second of the stat times): 100 on every mainstream Linux, asked once. */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 2000 }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

const readText = (file: string) => readFile(file, "utf8").catch(() => null);

export interface TreeProcess extends ProcStat {
  rssKb: number;
}

/**
 * The live process tree under `root` (itself included): one pass over /proc/<pid>/stat for the parent map,
 * then each live member's status. A process that exits mid-read is skipped. Null when `root` is gone or /proc is absent.
 */
export async function readProcessTree(root: number, procRoot = "/proc"): Promise<TreeProcess[] | null> {
  let entries: string[];
  try {
    entries = (await readdir(procRoot)).filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const stats = new Map<number, ProcStat>();
  await Promise.all(entries.map(async (e) => {
    const text = await readText(`${procRoot}/${e}/stat`);
    const s = text ? parseStat(text) : null;
    if (s) stats.set(s.pid, s);
  }));
  if (!stats.has(root)) return null;
  const pids = descendants(root, new Map([...stats.values()].map((s) => [s.pid, s.ppid])));
  const out: TreeProcess[] = [];
  // A zombie has exited (its children, if any, were re-parented): it uses no CPU or memory any more.
  await Promise.all(pids.filter((pid) => stats.get(pid)!.state !== "Z").map(async (pid) => {
    const status = await readText(`${procRoot}/${pid}/status`);
    // No VmRSS: it became a zombie between the two reads — it has no memory to count, so it is left out
    // rather than counted as 0 (a tree of only such processes gives no sample, never a false 0 MB).
    const rssKb = status === null ? null : parseStatusRssKb(status);
    if (rssKb !== null) out.push({ ...stats.get(pid)!, rssKb });
  }));
  return out;
}

export async function readMeminfo(procRoot = "/proc") {
  const text = await readText(`${procRoot}/meminfo`);
  return text ? parseMeminfo(text) : null;
}
