/**
 * gpu-worker entry point: `npm run worker`. Claims jobs from PostgreSQL until SIGTERM or
 * SIGINT, then stops claiming, hands running jobs back (the trainer is told to checkpoint)
 * and exits. Logs are JSON lines on stdout.
 */
import { env } from "../server/env";
import { db } from "../server/db";
import { Worker } from "./worker";

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), message, ...fields }));

const worker = new Worker(
  {
    databaseUrl: env.DATABASE_URL,
    concurrency: number("WORKER_CONCURRENCY", 1),
    maxServices: number("WORKER_MAX_SERVICES", 4),
    pollMs: number("WORKER_POLL_MS", 2000),
    reapEveryMs: number("WORKER_REAP_MS", 5000),
    heartbeatEveryMs: number("WORKER_HEARTBEAT_MS", 5000),
    types: process.env.WORKER_JOB_TYPES?.split(",").map((s) => s.trim()).filter(Boolean),
  },
  log,
);

let signals = 0;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) process.exit(1);
    log("stopping: no new claims, releasing running jobs", { signal });
    void worker.stop();
  });
}

await worker.start();
await worker.loop();
await worker.close();
await db.$disconnect();
log("worker stopped", { id: worker.id });
process.exit(0);
