/**
 * bench/queue: jobs/s claimed + completed by 1, 4 and 8 real worker processes on the local
 * PostgreSQL. Each round inserts JOBS noop jobs into a fresh database, starts the workers,
 * and times until every job is SUCCEEDED. Ratios are against the 1-worker round of the
 * same run. Usage: npm run bench:queue [-- --jobs 4000] [-- --workspaces 20]
 * With --workspaces N the jobs belong to N workspaces, round-robin (the fair claim ranks them and holds each at
 * WORKSPACE_MAX_RUNNING_JOBS); without it they are system jobs, as before that claim existed.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { jobs: { type: "string", default: "4000" }, workers: { type: "string", default: "1,4,8" }, workspaces: { type: "string", default: "0" } },
});
const jobs = Number(values.jobs);
const workspaces = Number(values.workspaces);
const counts = values.workers!.split(",").map(Number);

const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/m3_bench";
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";

const { recreateDatabase } = await import("../../server/testing/database");
await recreateDatabase(url);
const { db } = await import("../../server/db");
const { spawnWorker, waitFor } = await import("../../gpu-worker/testing/spawn-worker");

for (let w = 0; w < workspaces; w++) await db.workspace.create({ data: { id: `bench-${w}`, name: `bench ${w}`, slug: `bench-${w}` } });

const rows: { workers: number; seconds: number; jobsPerSecond: number }[] = [];
for (const n of counts) {
  await db.job.deleteMany();
  const workers = await Promise.all(Array.from({ length: n }, () => spawnWorker({ WORKER_JOB_TYPES: "noop", WORKER_POLL_MS: "100" })));
  const started = performance.now();
  await db.$executeRawUnsafe(
    `INSERT INTO "Job" (id, "workspaceId", type, payload)
     SELECT gen_random_uuid(), CASE WHEN $2::int > 0 THEN 'bench-' || (g % $2::int) END, 'noop', '{}'::jsonb FROM generate_series(1, $1) g`,
    jobs,
    workspaces,
  );
  await waitFor(async () => (await db.job.count({ where: { status: "SUCCEEDED" } })) === jobs, 600_000, "all jobs");
  const seconds = (performance.now() - started) / 1000;
  for (const w of workers) w.child.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
  rows.push({ workers: n, seconds, jobsPerSecond: jobs / seconds });
}

const base = rows[0]!.jobsPerSecond;
const owners = workspaces > 0 ? `in ${workspaces} workspaces` : "system jobs";
console.log(`\nqueue throughput: ${jobs} noop jobs (${owners}), claim + complete, PostgreSQL at ${new URL(url).host}\n`);
console.log("| workers | seconds | jobs/s | vs 1 worker |");
console.log("|--------:|--------:|-------:|------------:|");
for (const r of rows) {
  console.log(`| ${r.workers} | ${r.seconds.toFixed(2)} | ${r.jobsPerSecond.toFixed(0)} | ${(r.jobsPerSecond / base).toFixed(2)}× |`);
}
await db.$disconnect();
process.exit(0);
