import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface SpawnedWorker {
  child: ChildProcess;
  id: string;
  output: () => string;
  exited: Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Starts a real gpu-worker process and resolves once it has registered. */
export async function spawnWorker(env: Record<string, string> = {}): Promise<SpawnedWorker> {
  const child = spawn(process.execPath, ["--import", "tsx", "gpu-worker/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, WORKER_POLL_MS: "250", WORKER_REAP_MS: "500", WORKER_HEARTBEAT_MS: "1000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const id = await new Promise<string>((resolve, reject) => {
    // Generous: a loaded machine compiles the worker's TypeScript slowly; a worker that dies rejects at once.
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 300_000);
    const check = () => {
      const match = output.match(/"message":"worker started","id":"([^"]+)"/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker exited before starting:\n${output}`));
    });
  });
  return { child, id, output: () => output, exited };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface AdvancingWait {
  what: string;
  /** Fail when the progress signature has not changed for this long. */
  stallMs?: number;
  /** Fail after this long in any case. */
  capMs?: number;
}

/**
 * Polls `check` until it returns a truthy value, for as long as the work keeps advancing: `progress` returns a
 * signature of how far it got (a step, a phase, a progress message), and the wait fails only when that signature
 * has not changed for `stallMs`, or after `capMs`. A slow machine makes a run slower, never a test red.
 */
export async function waitWhileAdvancing<T>(
  check: () => Promise<T | null | undefined | false>,
  progress: () => Promise<string | number>,
  { what, stallMs = 180_000, capMs = 1_200_000 }: AdvancingWait,
): Promise<T> {
  const started = Date.now();
  let last = await progress();
  let lastChange = started;
  for (;;) {
    const value = await check();
    if (value) return value;
    const now = Date.now();
    const current = await progress();
    if (current !== last) {
      last = current;
      lastChange = now;
    }
    if (now - lastChange > stallMs) throw new Error(`no progress for ${stallMs} ms (stuck at ${String(last)}) waiting for ${what}`);
    if (now - started > capMs) throw new Error(`gave up after ${capMs} ms (at ${String(last)}) waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
