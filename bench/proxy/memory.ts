/**
 * bench/proxy/memory: the web process's memory while unauthenticated clients push huge bodies at the deployment
 * proxy (issue #13, finding 2: one 300 MiB chunked POST used to grow it by 738 MiB before the 413).
 *
 * Starts the production Next server (`next start`, built into its own dist dir: NEXT_DIST_DIR, default
 * .next-bench; `--build` builds it first) on a fresh database with one deployment, warms the proxy route up,
 * records the server's idle RSS, then sends CLIENTS concurrent chunked POSTs of MIB MiB each over loopback —
 * half to a made-up deployment id with a guessed key, half to the real one without a key — every client writing
 * its whole body whatever the answer (as an attacker would) until the server closes the socket, while the
 * server's RSS (the process and its children, from /proc) is sampled. A second, sustained phase has each client
 * post again and again, on new connections, until it has pushed MIB MiB in all. Prints idle / peak / delta.
 *
 * Usage: npx tsx bench/proxy/memory.ts [--build] [--clients 10] [--mib 300] [--sustained true|false]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: {
  build: { type: "boolean", default: false }, clients: { type: "string", default: "10" }, mib: { type: "string", default: "300" },
  sustained: { type: "string", default: "true" },
} });
const CLIENTS = Number(values.clients);
const BODY_BYTES = Number(values.mib) * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
const ROOT = path.resolve(import.meta.dirname, "../..");
const DIST = process.env.NEXT_DIST_DIR ?? ".next-bench";
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");

const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/m3_bench_proxy";
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
const { recreateDatabase } = await import("../../server/testing/database");
await recreateDatabase(url);
const { db } = await import("../../server/db");

const env = { ...process.env, NODE_ENV: "production" as const, NEXT_DIST_DIR: DIST, DATABASE_URL: url, HOST: "127.0.0.1" };
if (values.build || !existsSync(path.join(ROOT, DIST, "BUILD_ID"))) {
  console.log(`building the web app into ${DIST} ...`);
  const built = spawnSync(process.execPath, [NEXT_BIN, "build"], { cwd: ROOT, env, stdio: "inherit" });
  if (built.status !== 0) throw new Error("next build failed");
}

// One workspace and a deployment with a LIVE replica (nothing listens there: no request should get that far).
const owner = await db.user.create({ data: { email: `bench-${process.pid}@example.test`, passwordHash: "x" } });
const workspace = await db.workspace.create({ data: { name: "bench", slug: `bench-${process.pid}` } });
const deployment = await db.deployment.create({
  data: { workspaceId: workspace.id, name: "bench", modelDir: "/nonexistent", modelLabel: "bench", createdById: owner.id, status: "LIVE", url: "http://127.0.0.1:9" },
});
await db.deploymentReplica.create({ data: { deploymentId: deployment.id, index: 0, status: "LIVE", url: "http://127.0.0.1:9", healthAt: new Date(Date.now() + 3600_000) } });

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const p = (probe.address() as { port: number }).port;
    probe.close(() => resolve(p));
  });
});
const server = spawn(process.execPath, ["--import", "tsx", "scripts/web-server.ts"], { cwd: ROOT, env: { ...env, PORT: String(port), HOST: "127.0.0.1" }, stdio: ["ignore", "inherit", "inherit"] });
const stop = () => server.kill("SIGTERM");
process.on("exit", stop);

/** RSS in bytes of the server process and all its descendants. */
function treeRss(pid: number): number {
  let total = 0;
  const pending = [pid];
  while (pending.length) {
    const p = pending.pop()!;
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim();
        if (children) pending.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // the process ended between listing and reading
    }
  }
  return total;
}

function post(pathname: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: pathname, method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends BODY_BYTES chunked, honouring backpressure, to the end or until the server closes the socket. */
type Attack = { path: string; status: number | null; msToAnswer: number | null; sentBeforeAnswer: number; sent: number; error: string | null };
function attack(pathname: string, headers: Record<string, string>): Promise<Attack> {
  return new Promise((resolve) => {
    let sent = 0;
    let status: number | null = null;
    let msToAnswer: number | null = null;
    const t0 = performance.now();
    let sentBeforeAnswer = 0;
    let error: string | null = null;
    let finished = false;
    const req = http.request({ host: "127.0.0.1", port, path: pathname, method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked", ...headers } });
    const finish = () => {
      if (finished) return;
      finished = true;
      resolve({ path: pathname, status, msToAnswer, sentBeforeAnswer, sent, error });
    };
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      msToAnswer = performance.now() - t0;
      sentBeforeAnswer = sent;
      res.resume();
    });
    req.on("error", (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
      finish();
    });
    req.on("close", finish);
    const write = () => {
      while (sent < BODY_BYTES && !req.destroyed) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once("drain", write);
      }
      if (!req.destroyed) req.end();
    };
    write();
  });
}

// Ready when the proxy route answers; then warm both refusal paths so module loading is in the idle figure.
for (;;) {
  try {
    await post(`/api/deployments/warmup/v1/embeddings`, "{}");
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 500));
  }
}
for (let i = 0; i < 10; i++) {
  await post(`/api/deployments/made-up-${i}/v1/embeddings`, "{}", { authorization: "Bearer m3_guess" });
  await post(`/api/deployments/${deployment.id}/v1/embeddings`, "{}");
}
await new Promise((r) => setTimeout(r, 2000));
const idleSamples: number[] = [];
for (let i = 0; i < 10; i++) {
  idleSamples.push(treeRss(server.pid!));
  await new Promise((r) => setTimeout(r, 100));
}
const idle = idleSamples.sort((a, b) => a - b)[Math.floor(idleSamples.length / 2)]!;

/** Client i's target: even clients a made-up id with a guessed key (a key lookup), odd ones the real id, no key. */
const target = (i: number): [string, Record<string, string>] => i % 2 === 0
  ? [`/api/deployments/made-up-attack-${i}/v1/embeddings`, { authorization: `Bearer m3_guess_${i}` }]
  : [`/api/deployments/${deployment.id}/v1/embeddings`, {}];

let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.pid!))), 20);
let started = performance.now();
const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => attack(...target(i))));
const seconds = (performance.now() - started) / 1000;
const singlePeak = Math.max(peak, treeRss(server.pid!));

// Sustained: every client re-posts until it has pushed BODY_BYTES in all.
const statuses = new Map<string, number>();
let requests = 0;
let pushed = 0;
started = performance.now();
if (values.sustained === "true") {
  await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
    let sent = 0;
    while (sent < BODY_BYTES) {
      const r = await attack(...target(i));
      sent += Math.max(r.sent, CHUNK.length);
      requests++;
      const key = String(r.status ?? r.error);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    pushed += sent;
  }));
}
const sustainedSeconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, treeRss(server.pid!));
const after = treeRss(server.pid!);

const MiB = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(`\nproxy memory under ${CLIENTS} concurrent unauthenticated ${values.mib} MiB chunked POSTs (${os.cpus().length} CPUs, ${MiB(os.totalmem())} MiB RAM, node ${process.version})\n`);
console.log("| client | target | answer | ms to the answer | MiB sent before the answer | MiB sent in all | socket |");
console.log("|---:|---|---:|---:|---:|---:|---|");
results.forEach((r, i) => {
  const what = r.path.includes("made-up") ? "made-up id, guessed key" : "real id, no key";
  console.log(`| ${i + 1} | ${what} | ${r.status ?? "none"} | ${r.msToAnswer === null ? "-" : r.msToAnswer.toFixed(0)} | ${MiB(r.sentBeforeAnswer)} | ${MiB(r.sent)} | ${r.error ?? "closed by the server"} |`);
});
console.log(`\nserver RSS idle ${MiB(idle)} MiB; one body per client: peak ${MiB(singlePeak)} MiB (+${MiB(singlePeak - idle)} MiB), ${seconds.toFixed(1)} s`);
if (values.sustained === "true") {
  const answers = [...statuses].map(([k, n]) => `${n}× ${k}`).join(", ");
  console.log(`sustained (${CLIENTS} clients re-posting until each pushed ${values.mib} MiB: ${requests} requests, ${MiB(pushed)} MiB in all, answers ${answers}, ${sustainedSeconds.toFixed(1)} s): peak ${MiB(peak)} MiB (+${MiB(peak - idle)} MiB)`);
}
console.log(`after: ${MiB(after)} MiB`);
stop();
await db.$disconnect();
process.exit(0);
