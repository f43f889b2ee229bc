/**
 * The platform of `npm start` (scripts/supervisor-platform.ts) with stand-ins where the tests cannot afford the
 * real thing: the web is http-child.mjs (no Next build), the database stop records what it finds. The worker is
 * the real gpu-worker/main.ts on the test database, unless the config asks for a stand-in that ignores SIGTERM.
 * Every event it sees is appended to config.orderFile, one line each, in the order they happen.
 *
 * Usage: node --import tsx scripts/supervisor-fixtures/platform.ts '<json config>'
 */
import { appendFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { supervisePlatform } from "../supervisor-platform";

interface Config {
  orderFile: string;
  webPort: number;
  /** Stand-in worker: an HTTP child on this port that ignores SIGTERM. Absent: the real worker. */
  hangingWorkerPort?: number;
  workerStopTimeoutMs: number;
  /** A job whose row the database stop reads (status and attempts at that moment). */
  jobId?: string;
  /** SIGUSR2 makes this process throw an uncaught error (a bug in the platform process). */
  throwOnSigusr2?: boolean;
}

const config = JSON.parse(process.argv[2]!) as Config;
const ROOT = path.resolve(import.meta.dirname, "../..");
const HTTP_CHILD = path.join(import.meta.dirname, "http-child.mjs");
const record = (line: string) => appendFileSync(config.orderFile, `${line}\n`);

const platform = supervisePlatform({
  web: { name: "web", command: process.execPath, args: [HTTP_CHILD, String(config.webPort), "web", config.orderFile], stdio: "ignore", stopTimeoutMs: 30_000 },
  worker: config.hangingWorkerPort
    ? { name: "worker", command: process.execPath, args: [HTTP_CHILD, String(config.hangingWorkerPort), "worker", config.orderFile, "--ignore-sigterm"], stdio: "ignore", stopTimeoutMs: config.workerStopTimeoutMs }
    : { name: "worker", command: process.execPath, args: ["--import", "tsx", "gpu-worker/main.ts"], cwd: ROOT, stdio: "inherit", stopTimeoutMs: config.workerStopTimeoutMs },
  stopDatabase: async () => {
    let job = "";
    if (config.jobId) {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      const { rows } = await client.query(`SELECT status, attempts, "lockedBy" FROM "Job" WHERE id = $1`, [config.jobId]);
      await client.end();
      job = ` ${JSON.stringify(rows[0])}`;
    }
    record(`database:stop${job}`);
  },
  backoff: { initialMs: 50, maxMs: 1000, resetAfterMs: 60_000 },
  log: (message) => record(`log ${message.replaceAll("\n", " \\n ")}`), // one line per event, stacks included
});
for (const [name, child] of [["web", platform.web], ["worker", platform.worker]] as const) {
  child.on("exit", (code: number | null, signal: string | null) => record(`${name}:exit ${signal ?? code}`));
}
if (config.throwOnSigusr2) {
  process.on("SIGUSR2", () => {
    record("platform:throws");
    throw new Error("a bug in the platform process");
  });
}
record("platform:ready");
const code = await platform.done;
record(`platform:exit ${code}`);
process.exit(code);
