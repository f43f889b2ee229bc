import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { gpuSeries, SYSTEM } from "~/server/services/experiments/system-series";
import { startResourceSampler, treeUsage, type Point } from "./sampler";

const PYTHON = process.env.M3_PYTHON ?? "/usr/bin/python3";
/** A parent that holds ~64 MB and spins, and a child that spins too: the tree's CPU and RSS cover both. */
const BUSY = `
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
ballast = bytearray(64 * 1024 * 1024)
for i in range(0, len(ballast), 4096): ballast[i] = 1
print("ready", child.pid, flush=True)
end = time.time() + 60
while time.time() < end: pass
`;

let proc: ChildProcess | null = null;
let spinner = 0;
afterEach(async () => {
  try { process.kill(spinner, "SIGKILL"); } catch { /* already gone */ }
  if (proc && proc.exitCode === null) {
    proc.kill("SIGKILL");
    await once(proc, "exit");
  }
});

async function startBusy() {
  proc = spawn(PYTHON, ["-c", BUSY], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  while (!/ready \d+\n/.test(out)) out += String(((await once(proc.stdout!, "data")) as [Buffer])[0]);
  spinner = Number(/ready (\d+)/.exec(out)![1]);
  return { pid: proc.pid!, grandchild: spinner };
}

describe("resource sampling of a real process tree", () => {
  it("measures CPU > 0 and the RSS of the parent and its child", async () => {
    const { pid, grandchild } = await startBusy();
    const read = treeUsage(pid);
    const first = (await read())!;
    expect(first.cpuPercent).toBeNull(); // no baseline yet
    expect(first.processes).toBe(2);
    await new Promise((r) => setTimeout(r, 1000));
    const second = (await read())!;
    // Two spinning processes: up to 200 % on an idle machine; a loaded CI box still gives them some.
    expect(second.cpuPercent!).toBeGreaterThan(5);
    expect(second.rssMb).toBeGreaterThan(64);
    process.kill(grandchild, "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    expect((await read())!.processes).toBe(1);
  });

  it("emits system series with seconds since the run's start, and GPU series only where nvidia-smi answers", async () => {
    const { pid } = await startBusy();
    const points: Point[] = [];
    let gpuCalls = 0;
    const startedAt = Date.now() - 100_000;
    const sampler = startResourceSampler({
      pid, startedAt, intervalMs: 300, onPoints: (p) => points.push(...p),
      gpu: async () => (++gpuCalls === 1 ? [{ index: 0, utilPercent: 42, memUsedMb: 1000, memTotalMb: 8000 }] : null),
    });
    await new Promise((r) => setTimeout(r, 1500));
    await sampler.stop();
    const by = (name: string) => points.filter((p) => p.name === name);
    expect(by(SYSTEM.cpuPercent).length).toBeGreaterThanOrEqual(2);
    expect(by(SYSTEM.cpuPercent).every((p) => p.value > 0)).toBe(true);
    expect(by(SYSTEM.rssMb).every((p) => p.value > 64)).toBe(true);
    expect(by(SYSTEM.memTotalMb)[0]!.value).toBeGreaterThan(by(SYSTEM.memUsedMb)[0]!.value);
    expect(Math.min(...points.map((p) => p.step))).toBeGreaterThanOrEqual(100);
    // The first GPU answer is charted; after the first absence the sampler stops asking.
    expect(by(gpuSeries(0).utilPercent).map((p) => p.value)).toEqual([42]);
    expect(gpuCalls).toBe(2);
    const n = points.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(points.length).toBe(n); // stopped means stopped
  });
});
