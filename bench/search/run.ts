/**
 * bench/search: exact dense top-k (inner product) of onnxruntime (gpu-worker/inference/dense-search.ts)
 * against numpy matmul + argpartition on the same vectors, in the same run. Prints timings and the ratio.
 *
 *   npx tsx bench/search/run.ts [--queries 1000] [--corpus 100000] [--dim 1024] [--k 100] [--threads N] [--reps 2]
 * Each timing is the best of --reps passes (the machine may be shared).
 *
 * Target (issue 4): ORT time within 1.5× of numpy's.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import path from "node:path";
import { denseTopK } from "~/gpu-worker/inference/dense-search";
import { mulberry32 } from "~/server/lib/metrics/rng";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

function normalisedRandom(rows: number, dim: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const a = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const v = r() * 2 - 1;
      a[i * dim + j] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) a[i * dim + j]! *= inv;
  }
  return a;
}

async function main() {
  const nq = arg("queries", 1000), nc = arg("corpus", 100_000), dim = arg("dim", 1024), k = arg("k", 100);
  const threads = arg("threads", 0);
  const qb = arg("query-block", 250);
  const dir = mkdtempSync(path.join(tmpdir(), "bench-search-"));
  try {
    const q = normalisedRandom(nq, dim, 1);
    const c = normalisedRandom(nc, dim, 2);
    writeFileSync(path.join(dir, "q.f32"), Buffer.from(q.buffer));
    writeFileSync(path.join(dir, "c.f32"), Buffer.from(c.buffer));
    console.log(`dense top-${k}: ${nq} queries × ${nc} × ${dim} (cpus: ${cpus().length}, ORT threads: ${threads || "default"})`);

    // Warm-up both sides on a small slice so session creation / imports are not timed.
    await denseTopK(q.subarray(0, dim), c.subarray(0, 1000 * dim), dim, 10, { threads });
    const reps = arg("reps", 2);
    let ortS = Infinity;
    let ortHits: Awaited<ReturnType<typeof denseTopK>> = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      ortHits = await denseTopK(q, c, dim, k, { threads, queryBlock: qb });
      ortS = Math.min(ortS, (performance.now() - t0) / 1000);
    }

    const py = execFileSync("/usr/bin/python3", [path.join(import.meta.dirname, "baseline.py"), path.join(dir, "q.f32"), path.join(dir, "c.f32"), String(dim), String(k), String(qb), path.join(dir, "idx.i64"), String(reps)], { encoding: "utf8" });
    const base = JSON.parse(py.trim().split("\n").pop()!) as { seconds: number; torch_seconds: number | null };
    const npS = base.seconds;
    const npIdx = new BigInt64Array(readFileSync(path.join(dir, "idx.i64")).buffer.slice(0));
    let agree = 0;
    for (let i = 0; i < nq; i++) {
      const mine = new Set(ortHits[i]!.map((h) => h.index));
      for (let j = 0; j < k; j++) if (mine.has(Number(npIdx[i * k + j]!))) agree++;
    }
    const ratio = ortS / npS;
    console.log(`onnxruntime: ${ortS.toFixed(2)} s (${(nq / ortS).toFixed(0)} queries/s)`);
    console.log(`numpy:       ${npS.toFixed(2)} s (${(nq / npS).toFixed(0)} queries/s)`);
    if (base.torch_seconds !== null) console.log(`torch:       ${base.torch_seconds.toFixed(2)} s (ratio ORT/torch ${(ortS / base.torch_seconds).toFixed(2)}×)`);
    console.log(`ratio ORT/numpy time: ${ratio.toFixed(2)}× (target ≤ 1.5×) — ${ratio <= 1.5 ? "PASS" : "MISS"}`);
    console.log(`top-${k} overlap with numpy: ${((100 * agree) / (nq * k)).toFixed(2)}%`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
