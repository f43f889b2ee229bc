/**
 * bench/import: rows/s and peak memory of the real import path (runImport: stream → validate
 * → batched inserts in one transaction) on synthetic FlagEmbedding JSONL files of growing size.
 * Each size runs in a fresh child process so its peak RSS is its own. Memory should stay flat:
 * the ratio of peak RSS between the largest and the smallest file is printed.
 * Usage: npx tsx bench/import/run.ts [--rows 100000,1000000]
 */
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { rows: { type: "string", default: "100000,1000000" }, child: { type: "string" } } });

if (values.child) {
  // Child: import one file and report time + peak RSS as JSON.
  const [file, rows] = values.child.split("|");
  process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
  const { db } = await import("../../server/db");
  const { uploadFile } = await import("../../server/testing/datasets");
  const { runImport } = await import("../../server/services/datasets/import/run-import");
  const user = await db.user.create({ data: { email: `bench-${Date.now()}@example.test` } });
  const ws = await db.workspace.create({ data: { name: "bench", slug: `bench-${Date.now()}` } });
  const upload = await uploadFile(ws.id, user.id, file!);
  const started = performance.now();
  const result = await runImport(
    { workspaceId: ws.id, userId: user.id, datasetName: `bench-${rows}`, kind: "TRAINING", pairsAsEvaluation: false, files: [{ uploadId: upload.id, role: "pairs" }] },
    { progress: async () => undefined, signal: new AbortController().signal },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ rows: result.rows, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  await db.$disconnect();
  process.exit(0);
}

async function writeSynthetic(file: string, rows: number) {
  const out = createWriteStream(file);
  for (let i = 0; i < rows; i++) {
    const line = JSON.stringify({ query: `query ${i} about liver health 肝功能 ${i % 97}`, pos: [`passage ${i}: ${"the liver filters blood. ".repeat(4)}`], neg: [`negative ${i}: ${"unrelated text ".repeat(4)}`, `other ${i}`] });
    if (!out.write(line + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

const HEAP_CAP_MIB = 256;
const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/m3_bench_import";
process.env.DATABASE_URL = url;
const { recreateDatabase } = await import("../../server/testing/database");
await recreateDatabase(url);
const dir = await mkdtemp(path.join(os.tmpdir(), "m3-bench-import-"));
const results: { rows: number; seconds: number; peakRssMiB: number; fileMiB: number }[] = [];
for (const rows of values.rows!.split(",").map(Number)) {
  const file = path.join(dir, `train-${rows}.jsonl`);
  await writeSynthetic(file, rows);
  const { size } = await import("node:fs").then((fs) => fs.statSync(file));
  // A small heap cap makes V8 collect eagerly, so peak RSS shows what the import needs rather than
  // how lazily garbage is collected; an import that held rows in memory would die here.
  const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MIB}`, "--import", "tsx", "bench/import/run.ts", "--child", `${file}|${rows}`], {
    env: { ...process.env, DATABASE_URL: url, ARTIFACTS_DIR: path.join(dir, "artifacts") }, encoding: "utf8", maxBuffer: 1 << 24,
  });
  if (child.status !== 0) throw new Error(child.stderr);
  const line = child.stdout.trim().split("\n").pop()!;
  results.push({ ...(JSON.parse(line) as { rows: number; seconds: number; peakRssMiB: number }), fileMiB: size / 2 ** 20 });
}
console.log(`\nimport of FlagEmbedding JSONL (1 query, 1 positive, 2 negatives per row) into PostgreSQL; V8 heap capped at ${HEAP_CAP_MIB} MiB\n`);
console.log("| rows | file MiB | seconds | rows/s | peak RSS MiB |");
console.log("|-----:|---------:|--------:|-------:|-------------:|");
for (const r of results) console.log(`| ${r.rows} | ${r.fileMiB.toFixed(0)} | ${r.seconds.toFixed(1)} | ${(r.rows / r.seconds).toFixed(0)} | ${r.peakRssMiB.toFixed(0)} |`);
const first = results[0]!;
const last = results[results.length - 1]!;
console.log(`\npeak RSS ratio ${last.rows}/${first.rows} rows: ${(last.peakRssMiB / first.peakRssMiB).toFixed(2)}× for ${(last.rows / first.rows).toFixed(0)}× the rows (flat = ~1×)`);
