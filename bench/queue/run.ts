/**
 * bench/queue: jobs/s claimed + completed by 1, 4 and 8 real worker processes on the local
 * PostgreSQL. Each round inserts JOBS noop jobs into a fresh database, starts the workers,
 * and times until every job is SUCCEEDED. Ratios are against the 1-worker round of the
 * same run. Usage: npm run bench:queue [-- --jobs 4000]
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "4000" }, workers: { type: "string", default: "1,4,8" } } });
const jobs = Number(values.jobs);
const counts = values.workers!.split(",").map(Number);

const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/m3_bench";
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";

const { recreateDatabase } = await import("../../server/testing/database");
await recreateDatabase(url);
const { db } = await import("../../server/db");
const { spawnWorker, waitFor } = await import("../../gpu-worker/testing/spawn-worker");

const rows: { workers: number; seconds: number; jobsPerSecond: number }[] = [];
for (const n of counts) {
  await db.job.deleteMany();
  const workers = await Promise.all(Array.from({ length: n }, () => spawnWorker({ WORKER_JOB_TYPES: "noop", WORKER_POLL_MS: "100" })));
  const started = performance.now();
  await db.$executeRawUnsafe(
    `INSERT INTO "Job" (id, type, payload) SELECT gen_random_uuid(), 'noop', '{}'::jsonb FROM generate_series(1, $1)`,
    jobs,
  );
  await waitFor(async () => (await db.job.count({ where: { status: "SUCCEEDED" } })) === jobs, 600_000, "all jobs");
  const seconds = (performance.now() - started) / 1000;
  for (const w of workers) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  rows.push({ workers: n, seconds, jobsPerSecond: jobs / seconds });
}

const base = rows[0]!.jobsPerSecond;
console.log(`\nqueue throughput: ${jobs} noop jobs, claim + complete, PostgreSQL at ${new URL(url).host}\n`);
console.log("| workers | seconds | jobs/s | vs 1 worker |");
console.log("|--------:|--------:|-------:|------------:|");
for (const r of rows) {
  console.log(`| ${r.workers} | ${r.seconds.toFixed(2)} | ${r.jobsPerSecond.toFixed(0)} | ${(r.jobsPerSecond / base).toFixed(2)}× |`);
}
await db.$disconnect();
process.exit(0);
