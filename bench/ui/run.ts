/**
 * bench/ui: server response time of the compare page's data (experiment.compare: table with deltas and
 * randomization p-values, config diff, downsampled overlaid curves, error analysis, projections) for
 * 20 runs × 10,000 metric points and an evaluation of 5,000 queries, against a plain query of the same
 * rows (every metric point + every evaluation result, no processing). Prints best-of-N times and the ratio.
 * Uses its own database (BENCH_DATABASE_URL, default m3_bench_ui on 127.0.0.1:5432), recreated each run.
 * Usage: npx tsx bench/ui/run.ts [--runs 20] [--points 10000] [--queries 5000] [--repeat 5]
 */
import { parseArgs } from "node:util";
import { recreateDatabase } from "../../server/testing/database";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" }, points: { type: "string", default: "10000" }, queries: { type: "string", default: "5000" }, repeat: { type: "string", default: "5" } } });
const RUNS = Number(values.runs);
const POINTS = Number(values.points);
const QUERIES = Number(values.queries);
const REPEAT = Number(values.repeat);
const SERIES = ["loss", "lr", "grad_norm", "samples_per_s"];

const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/m3_bench_ui";
await recreateDatabase(url);
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-00";
const { db } = await import("../../server/db");
const { compareRuns } = await import("../../server/services/experiments/compare");
const { PER_QUERY_METRICS } = await import("../../server/services/experiments/evaluations");

// ---- Seed -------------------------------------------------------------------------------------
const ws = await db.workspace.create({ data: { name: "bench", slug: `bench-${Date.now()}` } });
const user = await db.user.create({ data: { email: `bench-${Date.now()}@example.test` } });
const base = await db.baseModel.create({ data: { workspaceId: ws.id, name: "bge-m3", dir: "/models/bge-m3", architecture: "XLMRobertaModel", dim: 1024, maxLength: 8192, vocabSize: 250002, layers: 24, parameters: BigInt(567_754_752), createdById: user.id } });
const evalVersionId = "bench-eval-version";
const evaluation = await db.evaluation.create({ data: { workspaceId: ws.id, name: "bench", evalVersionId, status: "SUCCEEDED", modes: ["dense", "sparse"], subjects: [] } });
const ids = Array.from({ length: QUERIES }, (_, i) => `q${i}`);
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
async function result(kind: string, id: string, lift: number) {
  for (const mode of ["dense", "sparse"]) {
    const values: Record<string, number[]> = {};
    const mean: Record<string, number> = {};
    for (const m of PER_QUERY_METRICS) {
      values[m] = ids.map(() => Math.round(Math.min(1, Math.max(0, rand() * 0.8 + lift)) * 10_000) / 10_000);
      mean[m] = values[m]!.reduce((a, b) => a + b, 0) / QUERIES;
    }
    for (const m of ["P", "recall", "mrr", "ndcg", "map"]) for (const k of [1, 3, 5, 20, 100]) mean[`${m}@${k}`] ??= rand();
    await db.evaluationResult.create({
      data: { evaluationId: evaluation.id, evalVersionId, subjectKind: kind, subjectId: id, mode, mean, perQuery: { ids, values },
        errorAnalysis: { counts: { complete_failure: 10, partial_failure: 5, ranking_issue: 3 }, shares: { complete_failure: 0.1, partial_failure: 0.05, ranking_issue: 0.03 }, examples: {} },
        projection: mode === "dense" ? { points: Array.from({ length: 500 }, () => [rand(), rand()]) } : undefined },
    });
  }
}
await result("base", base.id, 0);
const runIds: string[] = [];
const t0 = performance.now();
for (let r = 0; r < RUNS; r++) {
  const run = await db.experiment.create({
    data: { workspaceId: ws.id, name: `run ${r}`, baseModelId: base.id, trainVersionId: "t", evalVersionId, preset: "lora_quick",
      config: { learningRate: 1e-5 * (r + 1), batchSize: 4, mode: "dense" }, status: "SUCCEEDED", outputDir: `experiments/bench-${r}`, createdById: user.id },
  });
  runIds.push(run.id);
  const steps = Math.ceil(POINTS / SERIES.length);
  await db.$executeRawUnsafe(
    `INSERT INTO "MetricPoint" ("experimentId", name, step, value)
     SELECT $1, s.name, g, random() FROM generate_series(1, $2::int) g CROSS JOIN unnest($3::text[]) AS s(name)`,
    run.id, steps, SERIES,
  );
  const ckpt = await db.checkpoint.create({ data: { workspaceId: ws.id, experimentId: run.id, step: steps, dir: `experiments/bench-${r}/checkpoints/step-${steps}`, tags: [], aliases: [], isBest: true } });
  await db.experiment.update({ where: { id: run.id }, data: { bestCheckpointId: ckpt.id } });
  await result("checkpoint", ckpt.id, 0.01 * r);
}
await db.$executeRawUnsafe(`ANALYZE`);
const points = await db.metricPoint.count();
console.log(`seeded ${RUNS} runs, ${points} metric points, ${RUNS + 1} subjects × 2 modes × ${QUERIES} queries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// ---- Measure ----------------------------------------------------------------------------------
async function best(fn: () => Promise<unknown>) {
  let min = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}
const subjects = [`base:${base.id}`, ...runIds.map((id) => `run:${id}`)];
const plain = await best(async () => {
  await db.$queryRawUnsafe(`SELECT "experimentId", name, step, value FROM "MetricPoint" WHERE "experimentId" = ANY($1::text[])`, runIds);
  await db.$queryRawUnsafe(`SELECT * FROM "EvaluationResult" WHERE "evalVersionId" = $1`, evalVersionId);
});
let payload = 0;
const compare = await best(async () => {
  const r = await compareRuns({ workspaceId: ws.id, subjects, maxPoints: 300, pMode: "dense" });
  payload = JSON.stringify(r).length;
});
if (process.env.BENCH_PROFILE) {
  const { metricSeries } = await import("../../server/services/experiments/runs");
  const { latestResults } = await import("../../server/services/experiments/evaluations");
  const { fastRandomizationTest } = await import("../../server/services/experiments/compare");
  let t = performance.now();
  await metricSeries({ workspaceId: ws.id, experimentIds: runIds, maxPoints: 300 });
  console.log("metricSeries", (performance.now() - t).toFixed(0)); t = performance.now();
  const rows = await latestResults(evalVersionId, [{ kind: "base", id: base.id }]);
  console.log("latestResults(base)", (performance.now() - t).toFixed(0)); t = performance.now();
  const v = (rows[0]!.perQuery as { values: Record<string, number[]> }).values["ndcg@10"]!;
  for (let i = 0; i < 100; i++) fastRandomizationTest(v, v.map((x) => x + (i % 3) * 0.01 - 0.01 + 0.001), 1000);
  console.log("100 p-values", (performance.now() - t).toFixed(0));
}
console.log(`plain query of the same rows: ${plain.toFixed(0)} ms`);
console.log(`compare data (${subjects.length} subjects, p-values, curves ≤ 300 points/series): ${compare.toFixed(0)} ms, ${(payload / 1024).toFixed(0)} KiB`);
console.log(`ratio compare / plain: ${(compare / plain).toFixed(2)}`);
await db.$disconnect();
process.exit(0);
