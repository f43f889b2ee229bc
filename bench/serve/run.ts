/**
 * bench/serve: the embedding server (gpu-worker/serve, onnxruntime-node) against a minimal PyTorch HTTP server
 * (bench/serve/torch_server.py: one forward pass per request, no batching across requests) on the same weights,
 * in the same run. autocannon drives POST /v1/embeddings (one text per request, texts cycled from
 * gpu-worker/inference/fixtures/parity-texts.jsonl, so neither side can answer from a cache; our cache is off)
 * at 1, 16 and 128 concurrent clients; both servers run as child processes with the same thread count.
 * Then an overload phase: far more clients than the admission limits, reporting 200s, deliberate 429s, other
 * errors and the server's RSS over time (peak, first and last quarter) to show memory stays bounded.
 *
 *   npx tsx bench/serve/run.ts [--model demo|bge-m3-shape|DIR]... [--duration 8] [--rounds 2]
 *                              [--connections 1,16,128] [--threads 1] [--workers 1] [--overload-seconds 15]
 *                              [--overload-connections 512] [--no-torch]
 * Levels alternate between the two servers in --rounds slices (the machine may be shared); after each slice the
 * bench waits until the server has stopped computing abandoned requests, so that it cannot slow the next slice.
 * Traffic goes to 127.0.0.1 only. Target (issue 7): ≥ 2× PyTorch's throughput at 16+ clients; no errors other
 * than deliberate 429s; bounded memory under overload.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PY = "/usr/bin/python3";
const argv = process.argv.slice(2);
const arg = (name: string) => argv.flatMap((a, i) => (a === `--${name}` && argv[i + 1] ? [argv[i + 1]!] : []));
const num = (name: string, d: number) => Number(arg(name)[0] ?? d);
const DURATION = num("duration", 8);
const CONNECTIONS = (arg("connections")[0] ?? "1,16,128").split(",").map(Number);
const THREADS = num("threads", 1);
const WORKERS = num("workers", 1);
const OVERLOAD_S = num("overload-seconds", 15);
const OVERLOAD_C = num("overload-connections", 512);
const TORCH = !argv.includes("--no-torch");
const TEXTS = readFileSync(path.join(ROOT, "gpu-worker/inference/fixtures/parity-texts.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { text: string }).text);

const tmp = mkdtempSync(path.join(tmpdir(), "m3-bench-serve-"));
const demoSrc = path.join(ROOT, ".cache/demo-model");
if (!existsSync(path.join(demoSrc, "onnx/model.onnx"))) throw new Error("no demo model: run bash scripts/build-demo-model.sh");
const spm = path.join(tmp, "spm.model");
cpSync(path.join(demoSrc, "spm.model"), spm);

function modelDir(name: string): string {
  if (name === "demo") {
    // a private copy: a concurrent rebuild of the demo model cannot change it mid-run
    const dir = path.join(tmp, "demo");
    for (const f of ["config.json", "m3studio.json", "model.safetensors", "colbert_linear.pt", "sparse_linear.pt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "onnx/model.onnx"]) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      cpSync(path.join(demoSrc, f), path.join(dir, f));
    }
    return dir;
  }
  if (name === "bge-m3-shape") {
    const dir = path.join(ROOT, ".cache/bench-bge-m3-shape"); // made by bench/encode/run.ts (same tokenizer as the demo)
    if (!existsSync(path.join(dir, "onnx/model.onnx"))) throw new Error(`${dir} is missing: run npx tsx bench/encode/run.ts --model bge-m3-shape once`);
    return dir;
  }
  return path.resolve(name);
}

interface Started {
  proc: ChildProcess;
  url: string;
}

function start(cmd: string, args: string[], urlOf: (ready: Record<string, unknown>) => string): Promise<Started> {
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let ready = false;
    createInterface({ input: proc.stdout! }).once("line", (line) => {
      ready = true;
      resolve({ proc, url: urlOf(JSON.parse(line) as Record<string, unknown>) });
    });
    proc.once("exit", (code, signal) => {
      if (!ready) reject(new Error(`${cmd} exited ${code}: ${err}`));
      else if (code !== 0 && signal !== "SIGTERM") console.error(`${cmd} ${args[0]} exited unexpectedly (${code ?? signal}): ${err}`);
    });
  });
}

const startOurs = (dir: string, extra: string[] = []) =>
  start(process.execPath, ["--import", "tsx", "gpu-worker/serve/main.ts", "--model", dir, "--port", "0", "--threads", String(THREADS), "--cache-entries", "0", "--name", "bench", ...extra], (r) => String(r.url));
const startTorch = (dir: string) => start(PY, ["bench/serve/torch_server.py", dir, spm, "--threads", String(THREADS)], (r) => `http://127.0.0.1:${String(r.port)}`);

async function stop(s: Started): Promise<void> {
  if (s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once("exit", r));
  s.proc.kill("SIGTERM");
  const t = setTimeout(() => s.proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(t);
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/**
 * Waits until a server has finished the work the load generator abandoned at the end of a slice (requests still
 * computing — the PyTorch server works through its lock queue long after the clients are gone), so it does not
 * steal CPU from the next slice: less than 20 ms of CPU in a 250 ms window, or 60 s at most.
 */
async function settle(pid: number): Promise<void> {
  const end = Date.now() + 60_000;
  let last = cpuSeconds(pid);
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpuSeconds(pid);
    if (now - last < 0.02) return;
    last = now;
  }
}

interface Raw {
  seconds: number;
  lat: number[];
  ok: number;
  r429: number;
  other: number;
  /** What the other errors were: "status 503", "timeout", "socket error". */
  kinds: Record<string, number>;
}

interface Load {
  kinds: Record<string, number>;
  rps: number;
  ok: number;
  r429: number;
  otherErrors: number;
  p50: number;
  p95: number;
  p99: number;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarise(parts: Raw[]): Load {
  const lat = parts.flatMap((p) => p.lat).sort((a, b) => a - b);
  const sum = (f: (r: Raw) => number) => parts.reduce((a, p) => a + f(p), 0);
  const kinds: Record<string, number> = {};
  for (const p of parts) for (const [k, n] of Object.entries(p.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
  return { kinds, rps: sum((p) => p.ok) / sum((p) => p.seconds), ok: sum((p) => p.ok), r429: sum((p) => p.r429), otherErrors: sum((p) => p.other), p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99) };
}

let textCounter = 0;
function load(url: string, connections: number, seconds: number): Promise<Raw> {
  const lat: number[] = [];
  const status = new Map<number, number>();
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${url}/v1/embeddings`,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ model: "bench", input: TEXTS[textCounter++ % TEXTS.length] }) }),
          },
        ],
      },
      (err, res) => {
        if (err) return reject(err);
        const kinds: Record<string, number> = {};
        for (const [code, n] of status) if (code !== 200 && code !== 429) kinds[`status ${code}`] = n;
        if (res.timeouts) kinds.timeout = res.timeouts;
        if (res.errors - res.timeouts > 0) kinds["socket error"] = res.errors - res.timeouts;
        const other = Object.values(kinds).reduce((a, n) => a + n, 0);
        resolve({ seconds: res.duration, lat, ok: status.get(200) ?? 0, r429: status.get(429) ?? 0, other, kinds });
      },
    );
    inst.on("response", (_c, code, _b, ms) => {
      status.set(code, (status.get(code) ?? 0) + 1);
      if (code === 200) lat.push(ms);
    });
  });
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");

/**
 * Each level runs in ROUNDS alternating slices (ours, PyTorch, ours, PyTorch, …) so that a change in the
 * shared machine's load hits both servers alike; the slices are summed per server.
 */
const ROUNDS = num("rounds", 2);
async function levels(servers: Started[]): Promise<Load[][]> {
  for (const s of servers) {
    await load(s.url, 4, 2); // warm-up
    await settle(s.proc.pid!);
  }
  const out: Load[][] = servers.map(() => []);
  for (const c of CONNECTIONS) {
    const parts: Raw[][] = servers.map(() => []);
    for (let r = 0; r < ROUNDS; r++)
      for (const [i, s] of servers.entries()) {
        parts[i]!.push(await load(s.url, c, Math.max(1, Math.round(DURATION / ROUNDS))));
        await settle(s.proc.pid!);
      }
    parts.forEach((p, i) => out[i]!.push(summarise(p)));
  }
  return out;
}

async function main() {
  const models = arg("model").length ? arg("model") : ["demo"];
  console.log(`bench/serve: ${DURATION}s per level and server (${ROUNDS} alternating slices), clients ${CONNECTIONS.join("/")}, threads ${THREADS} (both servers; ours: ${WORKERS} inference worker(s)), one text per request; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  for (const name of models) {
    const dir = modelDir(name);
    // generous limits for the throughput levels: 128 clients must not be refused
    const ours = await startOurs(dir, ["--max-concurrent", "256", "--max-queued", "256", "--queue-timeout-ms", "30000", "--workers", String(WORKERS)]);
    const torch = TORCH ? await startTorch(dir) : null;
    let a: Load[];
    let b: Load[] | null = null;
    try {
      [a, b = null] = (await levels(torch ? [ours, torch] : [ours])) as [Load[], Load[]?];
    } finally {
      await stop(ours);
      if (torch) await stop(torch);
    }
    console.log(`\n### ${name} (${dir})\n`);
    console.log("| clients | ours req/s | p50 ms | p95 ms | p99 ms | errors | PyTorch req/s | p50 ms | p95 ms | p99 ms | errors | ratio |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    CONNECTIONS.forEach((c, i) => {
      const x = a[i]!;
      const y = b?.[i];
      const errs = (l: Load) => `${l.otherErrors}${l.r429 ? ` (+${l.r429}×429)` : ""}`;
      console.log(
        `| ${c} | ${f1(x.rps)} | ${ms(x.p50)} | ${ms(x.p95)} | ${ms(x.p99)} | ${errs(x)} | ${y ? `${f1(y.rps)} | ${ms(y.p50)} | ${ms(y.p95)} | ${ms(y.p99)} | ${errs(y)} | ${(x.rps / y.rps).toFixed(2)}×` : "– | – | – | – | – | –"} |`,
      );
    });
  }
  if (OVERLOAD_S > 0) {
    const dir = modelDir(models[0]!);
    const s = await startOurs(dir, ["--max-concurrent", "32", "--max-queued", "32", "--queue-timeout-ms", "1000", "--workers", String(WORKERS)]);
    const pid = s.proc.pid!;
    await load(s.url, 4, 1);
    const samples: number[] = [];
    const base = rssMiB(pid);
    const timer = setInterval(() => samples.push(rssMiB(pid)), 250);
    const r = summarise([await load(s.url, OVERLOAD_C, OVERLOAD_S)]);
    clearInterval(timer);
    await stop(s);
    const q = Math.max(1, Math.floor(samples.length / 4));
    const avg = (xs: number[]) => xs.reduce((p, v) => p + v, 0) / xs.length;
    console.log(`\n### overload: ${OVERLOAD_C} clients for ${OVERLOAD_S}s against max-concurrent 32 + 32 queued (queue timeout 1 s), ${models[0]}\n`);
    console.log(`200s ${r.ok} (${f1(r.rps)}/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms), deliberate 429s ${r.r429}, other errors ${r.otherErrors} ${JSON.stringify(r.kinds)} (client timeout 30 s)`);
    console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
    console.log(`RSS MiB: before ${base.toFixed(0)}, peak ${Math.max(...samples).toFixed(0)}, mean first quarter ${avg(samples.slice(0, q)).toFixed(0)}, mean last quarter ${avg(samples.slice(-q)).toFixed(0)} (${samples.length} samples)`);
  }
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
