import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseNvidiaSmi, visibleGpuIndices } from "./gpu";
import { descendants, parseMeminfo, parseStat, parseStatusRssKb, readProcessTree } from "./proc";

// Fixture text in the kernel's formats (proc(5)); the first line was read from a real /proc/<pid>/stat.
const STAT_CAT = "13952 (cat) R 13950 13950 7692 0 -1 4194304 101 0 0 0 7 3 0 0 20 0 1 0 32204 3133440 407 18446744073709551615 94279755333632 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
// A command name with spaces and parentheses: fields must be counted from the LAST ")".
const STAT_ODD = "4242 (py (train) ) 1) S 4000 4000 7692 0 -1 4194304 101 0 0 0 1234 56 9 9 20 0 3 0 99887 3133440 407 18446744073709551615";
const STATUS = "Name:\tpython3\nUmask:\t0022\nState:\tR (running)\nVmPeak:\t  812345 kB\nVmRSS:\t  204800 kB\nRssAnon:\t  190000 kB\n";
const STATUS_KTHREAD = "Name:\tkthreadd\nUmask:\t0000\nState:\tS (sleeping)\n";
const MEMINFO = "MemTotal:       24684092 kB\nMemFree:        20556244 kB\nMemAvailable:   22842588 kB\nBuffers:          123 kB\n";

describe("/proc parsing", () => {
  it("reads pid, parent, CPU ticks and start time from a stat line", () => {
    expect(parseStat(STAT_CAT)).toEqual({ pid: 13952, ppid: 13950, state: "R", ticks: 10, starttime: 32204 });
    expect(parseStat(STAT_ODD)).toEqual({ pid: 4242, ppid: 4000, state: "S", ticks: 1290, starttime: 99887 });
  });

  it("rejects a truncated or garbled stat line", () => {
    expect(parseStat("garbage")).toBeNull();
    expect(parseStat("12 (x) S 1 2")).toBeNull();
  });

  it("reads VmRSS (none for a kernel thread or zombie) and meminfo", () => {
    expect(parseStatusRssKb(STATUS)).toBe(204800);
    expect(parseStatusRssKb(STATUS_KTHREAD)).toBeNull();
    expect(parseMeminfo(MEMINFO)).toEqual({ totalKb: 24684092, availableKb: 22842588 });
    expect(parseMeminfo("MemTotal: 1 kB\n")).toBeNull();
  });

  it("collects a process tree from a parent map, ignoring other branches", () => {
    const parents = new Map([[1, 0], [10, 1], [11, 10], [12, 10], [13, 12], [20, 1], [21, 20]]);
    expect(descendants(10, parents).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(descendants(99, parents)).toEqual([]);
  });
});

describe("readProcessTree on a fixture /proc", () => {
  let root: string;
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("sums the tree's live members, skipping zombies and a process that vanished mid-read", async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "fake-proc-"));
    const proc = async (pid: number, ppid: number, ticks: number, rssKb: number | null | "gone", state = "S") => {
      await mkdir(path.join(root, String(pid)));
      await writeFile(path.join(root, String(pid), "stat"), `${pid} (p${pid}) ${state} ${ppid} 0 0 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 ${pid * 10} 0 0`);
      if (rssKb === "gone") return;
      // null: its status has no VmRSS line, as when it turned zombie after its stat line was read
      await writeFile(path.join(root, String(pid), "status"), rssKb === null ? "Name:\tp\nState:\tZ (zombie)\n" : `Name:\tp\nVmRSS:\t${rssKb} kB\n`);
    };
    await proc(100, 1, 50, 1000);
    await proc(101, 100, 20, 500);
    await proc(102, 101, 5, "gone"); // exited between the stat and status reads
    await proc(104, 100, 3, null); // turned zombie between the stat and status reads: no memory, not 0 MB
    await proc(103, 100, 7, 0, "Z"); // a zombie: exited, not reaped
    await proc(200, 1, 999, 9999); // not ours
    await mkdir(path.join(root, "self"));
    const tree = (await readProcessTree(100, root))!;
    expect(tree.map((p) => p.pid).sort()).toEqual([100, 101]);
    expect(tree.reduce((s, p) => s + p.rssKb, 0)).toBe(1500);
    expect(await readProcessTree(300, root)).toBeNull();
    // A tree whose only member turned zombie mid-read is empty (the sampler then records nothing, never 0 MB).
    await proc(300, 1, 1, null);
    expect(await readProcessTree(300, root)).toEqual([]);
  });
});

describe("nvidia-smi parsing", () => {
  it("reads one line per GPU and skips [N/A] values", () => {
    const out = "17, 4523, 81559\n 0, 3, 81559 \n[N/A], 100, 81559\n";
    expect(parseNvidiaSmi(out)).toEqual([
      { index: 0, utilPercent: 17, memUsedMb: 4523, memTotalMb: 81559 },
      { index: 1, utilPercent: 0, memUsedMb: 3, memTotalMb: 81559 },
    ]);
    expect(parseNvidiaSmi("55, 10, 20\n", [3])).toEqual([{ index: 3, utilPercent: 55, memUsedMb: 10, memTotalMb: 20 }]);
    expect(parseNvidiaSmi("")).toEqual([]);
  });

  it("follows CUDA_VISIBLE_DEVICES when it lists indices", () => {
    expect(visibleGpuIndices({ CUDA_VISIBLE_DEVICES: "2,3" })).toEqual([2, 3]);
    expect(visibleGpuIndices({ CUDA_VISIBLE_DEVICES: "GPU-abc" })).toBeUndefined();
    expect(visibleGpuIndices({})).toBeUndefined();
  });
});
