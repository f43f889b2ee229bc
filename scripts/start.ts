/**
 * `npm start`: everything on embedded defaults. Without DATABASE_URL it starts an embedded
 * PostgreSQL under .data/postgres; with it, uses that database. Then it migrates, builds the
 * web app when the sources changed, starts web + one worker under supervision, and prints the URL.
 *
 * Two processes: this script as started (the launcher, scripts/supervisor-launcher.ts) runs the platform as
 * itself with --platform in a process group of its own, so that Ctrl-C reaches the platform once, as one stop
 * request, instead of reaching PostgreSQL and the worker at the same time. The platform restarts a crashed web or
 * worker with backoff (the other keeps serving) and stops in order: worker (hands its jobs back) → web →
 * PostgreSQL; a second Ctrl-C forces (scripts/supervisor-platform.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { EmbeddedDatabase } from "../server/dev/embedded-postgres";
import { applyMigrations } from "../server/schema/migrate";
import { writeBuildStatus } from "../server/services/models/default-model-build-status";
import { BUILD_COMMAND, startDemoModelBuild } from "./demo-model-build";
import { serveStartupPage } from "./startup-page";
import { launchDetached } from "./supervisor-launcher";
import { supervisePlatform } from "./supervisor-platform";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA = path.resolve(ROOT, process.env.M3_DATA_DIR ?? ".data");
const PORT = Number(process.env.PORT ?? 3000);
// Next's own entry run by this node, not through npx: a SIGTERM then reaches the server itself (through npx the
// next-server process outlived `npm start` and kept holding the port).
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const WEB_SERVER = path.join(ROOT, "scripts/web-server.ts");
const PLATFORM_FLAG = "--platform";
// Bounds of the ordered stop: the worker asks a training run to checkpoint before it hands the job back.
const WORKER_STOP_TIMEOUT_MS = 60_000;
const WEB_STOP_TIMEOUT_MS = 15_000;
const DATABASE_STOP_TIMEOUT_MS = 30_000;

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

/** Runs a preparation step; when it fails, stops the embedded database (if any) and exits with its status. */
async function runOrExit(command: string, args: string[], env: NodeJS.ProcessEnv, embedded: EmbeddedDatabase | null) {
  // Not spawnSync: the event loop stays free, so the startup page answers while the web app builds.
  const status = await new Promise<number | null>((resolve) => {
    spawn(command, args, { cwd: ROOT, env, stdio: "inherit" }).on("exit", (code) => resolve(code)).on("error", () => resolve(1));
  });
  if (status === 0) return;
  await embedded?.stop();
  process.exit(status ?? 1);
}

/**
 * Without M3_BASE_MODEL the platform's base model is the demo model, built on the first start (minutes on 2 cores;
 * skipped when built) so that New run, "Create demo workspace" and `npm run demo` find it. The build runs behind
 * the web app (scripts/demo-model-build.ts), which says what waits for it. It needs Debian's PyTorch stack: when
 * that is missing it is installed as the test command does (apt, as root); where it cannot be, the status and the
 * terminal say exactly what to run, and everything else is served.
 */
function demoModelNeedsBuild(): boolean {
  if (process.env.M3_BASE_MODEL || existsSync(path.join(ROOT, ".cache/demo-model/onnx/model.onnx"))) return false;
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  const hasTorch = () => spawnSync(python, ["-c", "import torch, sentencepiece, onnx"], { stdio: "ignore" }).status === 0;
  if (!hasTorch()) spawnSync("bash", ["scripts/setup-system.sh", "--worker"], { cwd: ROOT, stdio: "inherit" });
  if (hasTorch()) return true;
  const error = `No PyTorch for ${python}: run (as root) bash scripts/setup-system.sh --worker, then ${BUILD_COMMAND}`;
  console.warn(`No demo model. ${error}`);
  const now = new Date().toISOString();
  writeBuildStatus({ state: "failed", phase: "starting", step: 0, totalSteps: null, etaSeconds: null, startedAt: now, updatedAt: now, error }, ROOT);
  return false;
}

/** Database, migrations, build, then web + worker under supervision until a stop; exits with its outcome. */
async function startPlatform(): Promise<never> {
  mkdirSync(DATA, { recursive: true });
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    // Imported here, not at the top: the package hooks SIGINT/SIGTERM, which the launcher must not have.
    const { startEmbeddedPostgres } = await import("../server/dev/embedded-postgres");
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

  if (!existsSync(path.join(ROOT, "server/generated/prisma/client.ts"))) await runOrExit("npx", ["tsx", "scripts/prisma-generate.ts"], env, embedded);
  const stampFile = path.join(ROOT, process.env.NEXT_DIST_DIR ?? ".next", "m3-build-stamp");
  const stamp = buildStamp();
  if (!existsSync(stampFile) || readFileSync(stampFile, "utf8") !== stamp || process.argv.includes("--rebuild")) {
    console.log("Building the web app (first start or sources changed)...");
    const page = await serveStartupPage({ host: process.env.HOST ?? "127.0.0.1", port: PORT, what: "Building the web app (first start or new sources: a few minutes)." });
    if (page.listening) console.log(`Until it is built, http://${process.env.HOST ?? "127.0.0.1"}:${PORT} shows a "starting" page.`);
    await runOrExit(process.execPath, [NEXT_BIN, "build"], env, embedded).finally(page.close);
    writeFileSync(stampFile, stamp);
  }

  const buildDemoModel = demoModelNeedsBuild();

  // server/env validates HOST (default 127.0.0.1) and needs the database URL and secret chosen above.
  Object.assign(process.env, { DATABASE_URL: env.DATABASE_URL, AUTH_SECRET: env.AUTH_SECRET });
  const { env: settings } = await import("../server/env");
  const database = embedded;
  const platform = supervisePlatform({
    web: {
      name: "web",
      command: process.execPath,
      // Not `next start`: scripts/web-server.ts wraps Next's handler and stamps each request with the socket's
      // address, so per-address limits (sign-in lockout, sign-up, failed API keys) tell callers apart without a
      // proxy. It reads HOST and PORT and closes gracefully on SIGTERM; run by this node, so the signal reaches it.
      args: ["--import", "tsx", WEB_SERVER],
      cwd: ROOT,
      env: { ...env, HOST: settings.HOST, PORT: String(PORT) },
      stopTimeoutMs: WEB_STOP_TIMEOUT_MS,
    },
    worker: {
      name: "worker",
      command: process.execPath,
      args: ["--import", "tsx", "gpu-worker/main.ts"],
      cwd: ROOT,
      env,
      stopTimeoutMs: WORKER_STOP_TIMEOUT_MS,
    },
    stopDatabase: database ? () => database.stop() : undefined,
    databaseStopTimeoutMs: DATABASE_STOP_TIMEOUT_MS,
  });
  const demoBuild = buildDemoModel ? startDemoModelBuild({ root: ROOT, logFile: path.join(DATA, "logs", "demo-model-build.log") }) : null;
  // A stop while it builds ends the build too (it resumes from scratch on the next start; its output is atomic).
  void platform.done.then(() => demoBuild?.child.kill("SIGTERM"));
  const host = settings.HOST;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  console.log(`\nM3 Studio is running at http://${shownHost}:${PORT}\n`);
  process.exit(await platform.done);
}

if (process.argv.includes(PLATFORM_FLAG)) await startPlatform();
else launchDetached(import.meta.filename, [...process.argv.slice(2), PLATFORM_FLAG], ROOT);
