/**
 * `npm start`: everything on embedded defaults. Without DATABASE_URL it starts an embedded
 * PostgreSQL under .data/postgres; with it, uses that database. Then it migrates, builds the
 * web app when the sources changed, starts web + one worker, and prints the URL.
 * Ctrl-C (or SIGTERM) stops the children first, then the database.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../server/dev/embedded-postgres";
import { applyMigrations } from "../server/schema/migrate";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA = path.resolve(ROOT, process.env.M3_DATA_DIR ?? ".data");
const PORT = Number(process.env.PORT ?? 3000);
// Next's own entry run by this node, not through npx: a SIGTERM then reaches the server itself (through npx the
// next-server process outlived `npm start` and kept holding the port).
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
mkdirSync(DATA, { recursive: true });

function persistentSecret(file: string): string {
  const at = path.join(DATA, file);
  if (!existsSync(at)) writeFileSync(at, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(at, "utf8").trim();
}

/** Rebuild when HEAD or the working tree changed since the last build. */
function buildStamp(): string {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout ?? "";
  const dirty = spawnSync("git", ["status", "--porcelain", "--", "app", "server", "next.config.ts", "package-lock.json"], { cwd: ROOT, encoding: "utf8" }).stdout ?? "";
  return createHash("sha256").update(head + dirty).digest("hex");
}

function runOrExit(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * Without M3_BASE_MODEL the platform's base model is the demo model: build it on the first start (about 4 minutes on
 * 2 cores; skipped when built) so that "Create demo workspace" and `npm run demo` find it. Needs the Python torch
 * stack (scripts/setup-system.sh); without it the platform still starts and says how to build the model later.
 */
function ensureDemoModel() {
  if (process.env.M3_BASE_MODEL || existsSync(path.join(ROOT, ".cache/demo-model/onnx/model.onnx"))) return;
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  if (spawnSync(python, ["-c", "import torch, sentencepiece, onnx"], { stdio: "ignore" }).status !== 0) {
    console.warn(`No demo model and no PyTorch for ${python}: run scripts/setup-system.sh, then bash scripts/build-demo-model.sh`);
    return;
  }
  console.log("Building the demo model (first start; about 4 minutes on 2 cores)...");
  const built = spawnSync("bash", ["scripts/build-demo-model.sh"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) console.warn("The demo model could not be built (see above); the platform starts without it.");
}

let embedded: EmbeddedDatabase | null = null;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  const port = Number(process.env.M3_PG_PORT ?? 54329);
  console.log(`Starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${path.join(DATA, "postgres")})`);
  embedded = await startEmbeddedPostgres(path.join(DATA, "postgres"), port);
  databaseUrl = embedded.url;
}

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  AUTH_SECRET: process.env.AUTH_SECRET ?? persistentSecret("auth-secret"),
  ARTIFACTS_DIR: process.env.ARTIFACTS_DIR ?? path.join(DATA, "artifacts"),
  NEXT_TELEMETRY_DISABLED: "1",
  // One embedded worker: let a long training run and a quick import run side by side.
  WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? "2",
  NODE_ENV: "production",
};

const migrations = await applyMigrations(databaseUrl);
console.log(`Database ready (${migrations.applied.length} migrations applied, ${migrations.alreadyApplied.length} already there)`);

if (!existsSync(path.join(ROOT, "server/generated/prisma/client.ts"))) runOrExit("npx", ["tsx", "scripts/prisma-generate.ts"], env);
const stampFile = path.join(ROOT, process.env.NEXT_DIST_DIR ?? ".next", "m3-build-stamp");
const stamp = buildStamp();
if (!existsSync(stampFile) || readFileSync(stampFile, "utf8") !== stamp || process.argv.includes("--rebuild")) {
  console.log("Building the web app (first start or sources changed)...");
  runOrExit(process.execPath, [NEXT_BIN, "build"], env);
  writeFileSync(stampFile, stamp);
}

ensureDemoModel();

const children: ChildProcess[] = [
  spawn(process.execPath, [NEXT_BIN, "start", "-p", String(PORT)], { cwd: ROOT, env, stdio: "inherit" }),
  spawn(process.execPath, ["--import", "tsx", "gpu-worker/main.ts"], { cwd: ROOT, env, stdio: "inherit" }),
];
console.log(`\nM3 Studio is running at http://localhost:${PORT}\n`);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    })),
  );
  await embedded?.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
for (const child of children) child.on("exit", (code) => void shutdown(code ?? 1));
