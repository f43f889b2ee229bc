/**
 * The platform as the browser tests see it: a fresh, migrated e2e database on the test
 * PostgreSQL, then `npm start` (web + worker) against it. Playwright starts and stops this.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { recreateDatabase } from "../server/testing/database";

const url = process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/m3_e2e";
await recreateDatabase(url);

const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
  cwd: path.resolve(import.meta.dirname, ".."),
  env: {
    ...process.env,
    DATABASE_URL: url,
    AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-secret-e2e-secret-e2e-secret-e2e-0123",
    M3_DATA_DIR: process.env.M3_DATA_DIR ?? ".data/e2e",
    // Specs run in parallel: a training run must not hold up another spec's jobs.
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? "3",
    M3_LLM_ALLOWED_HOSTS: process.env.M3_LLM_ALLOWED_HOSTS ?? "127.0.0.1", // a local LLM stub, if a spec configures one
    // The browsers reach it at 127.0.0.1 only (playwright.config.ts); never on the network.
    HOST: "127.0.0.1",
    // Every spec signs up from this one address; the default limit (10 an hour) is for the public.
    SIGN_UP_MAX_PER_WINDOW: process.env.SIGN_UP_MAX_PER_WINDOW ?? "1000",
  },
  stdio: "inherit",
});
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
