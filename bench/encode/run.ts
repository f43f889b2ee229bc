/**
 * bench/encode: encoder throughput of onnxruntime-node (gpu-worker/inference) against PyTorch CPU on the
 * same weights and the same batches, in the same run; plus the share of padded tokens with and without
 * token-budget batching.
 *
 *   npx tsx bench/encode/run.ts [--model demo|bge-m3-shape|DIR]... [--texts 400] [--max-length 256]
 *                               [--budget 8192] [--fixed-batch 32] [--threads N] [--reps 3]
 * Each timing is the best of --reps passes (the machine may be shared), after a warm-up batch.
 *
 * Models: `demo` = .cache/demo-model (built by scripts/build-demo-model.sh when absent); `bge-m3-shape` =
 * XLM-R-large dims (hidden 1024, 16 heads, FFN 4096, vocab 250002), 2 layers, random weights, generated once
 * into .cache/bench-bge-m3-shape with gpu-worker/inference/fixtures/make_model.py (the trainer's model code).
 * Texts: fixtures/parity-texts.jsonl (mixed-length Chinese and English), cycled to --texts.
 * Target (issue 4): ≥ 1.5× PyTorch CPU throughput.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { paddingShare, planBatches, planFixedBatches, type BatchPlan } from "~/gpu-worker/inference/batcher";
import { loadEncoder } from "~/gpu-worker/inference/load";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PY = "/usr/bin/python3";

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => a === `--${name}` && process.argv[i + 1] && out.push(process.argv[i + 1]!));
  return out;
}
const num = (name: string, d: number) => Number(args(name)[0] ?? d);

function ensureModel(name: string): string {
  if (name === "demo") {
    const demo = path.join(ROOT, ".cache/demo-model");
    if (!existsSync(path.join(demo, "onnx/model.onnx"))) execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
    // A private copy, so the int8 file is not added to the shared demo folder.
    const dir = path.join(ROOT, ".cache/bench-demo-model");
    if (!existsSync(path.join(dir, "onnx/model.onnx"))) cpSync(demo, dir, { recursive: true });
    return dir;
  }
  if (name === "bge-m3-shape") {
    const dir = path.join(ROOT, ".cache/bench-bge-m3-shape");
    if (!existsSync(path.join(dir, "onnx/model.onnx"))) {
      const demo = ensureModel("demo");
      console.log("generating the BGE-M3-shaped random model (hidden 1024, 2 layers, vocab 250002)…");
      execFileSync(PY, ["inference/fixtures/make_model.py", dir, "--hidden", "1024", "--layers", "2", "--heads", "16", "--intermediate", "4096", "--max-length", "8192", "--vocab-size", "250002", "--tokenizer-from", demo], { cwd: path.join(ROOT, "gpu-worker"), stdio: ["ignore", "ignore", "inherit"] });
    }
    return dir;
  }
  return name;
}

function ensureInt8(dir: string): string {
  const f = path.join(dir, "onnx/model.int8.onnx");
  if (!existsSync(f)) execFileSync(PY, [path.join(ROOT, "gpu-worker/inference/quantize/quantize_int8.py"), dir], { stdio: ["ignore", "ignore", "inherit"] });
  return "onnx/model.int8.onnx";
}

async function benchModel(name: string, texts: string[], maxLength: number, budget: number, fixedBatch: number, threads: number, reps: number) {
  const dir = ensureModel(name);
  const { encoder } = await loadEncoder(dir, { threads, maxBatchTokens: budget });
  const { encoder: int8 } = await loadEncoder(dir, { threads, maxBatchTokens: budget, onnxFile: ensureInt8(dir) });
  const outputs = ["dense", "sparse", "colbert"] as const;
  const ids = texts.map((t) => encoder.tokenizer.encode(t, maxLength).ids);
  const lengths = ids.map((r) => r.length);
  const realTokens = lengths.reduce((a, b) => a + b, 0);
  const budgetPlan = planBatches(lengths, budget, encoder.backend.maxBatch);
  const fixedPlan = planFixedBatches(lengths, fixedBatch);

  const timeOrt = async (plan: BatchPlan, enc = encoder) => {
    await enc.backend.run(plan.batches.at(-1)!.map((i) => ids[i]!), enc.tokenizer.padId, outputs); // warm-up
    let best = Infinity;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      for (const b of plan.batches) await enc.backend.run(b.map((i) => ids[i]!), enc.tokenizer.padId, outputs);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return best;
  };
  const timeTorch = (plan: BatchPlan) => {
    const tmp = mkdtempSync(path.join(tmpdir(), "bench-encode-"));
    try {
      const f = path.join(tmp, "batches.json");
      writeFileSync(f, JSON.stringify({ pad_id: encoder.tokenizer.padId, batches: plan.batches.map((b) => b.map((i) => ids[i]!)) }));
      const out = execFileSync(PY, [path.join(import.meta.dirname, "torch_baseline.py"), dir, f, String(threads), String(reps)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
      return JSON.parse(out.trim().split("\n").pop()!) as { seconds: number; threads: number; torch: string };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };
  // The high-level encode path (tokenize + batch + post-process) for the end-to-end figure.
  const t0 = performance.now();
  await encoder.encode(texts, { maxLength, outputs });
  const e2e = (performance.now() - t0) / 1000;
  const ortBudget = await timeOrt(budgetPlan);
  const int8Budget = await timeOrt(budgetPlan, int8);
  const torchBudget = timeTorch(budgetPlan);
  // Agreement of the int8 graph with fp32 (dense cosine), on these texts.
  const [fa, fb] = [await encoder.encode(texts, { maxLength }), await int8.encode(texts, { maxLength })];
  let minCos = 1;
  for (let i = 0; i < texts.length; i++) {
    let c = 0;
    for (let j = 0; j < encoder.dim; j++) c += fa.dense[i * encoder.dim + j]! * fb.dense[i * encoder.dim + j]!;
    minCos = Math.min(minCos, c);
  }
  const ortFixed = await timeOrt(fixedPlan);
  const torchFixed = timeTorch(fixedPlan);
  await encoder.backend.close();
  await int8.backend.close();
  const row = (label: string, s: number) => `${label.padEnd(44)} ${(texts.length / s).toFixed(1).padStart(8)} texts/s ${(realTokens / s).toFixed(0).padStart(9)} tokens/s  (${s.toFixed(2)} s)`;
  console.log(`\n== ${name} (${dir}) dim ${encoder.dim}; ${texts.length} texts, ${realTokens} tokens, max length ${maxLength}`);
  console.log(`padded-token share: token-budget batching (budget ${budget}) ${(100 * paddingShare(budgetPlan)).toFixed(1)}% in ${budgetPlan.batches.length} batches; fixed batches of ${fixedBatch} in input order ${(100 * paddingShare(fixedPlan)).toFixed(1)}% in ${fixedPlan.batches.length} batches`);
  console.log(row("onnxruntime, token-budget batches", ortBudget));
  console.log(row("onnxruntime int8 (dynamic), token-budget batches", int8Budget));
  console.log(row(`pytorch ${torchBudget.torch} (${torchBudget.threads} threads), same batches`, torchBudget.seconds));
  console.log(row("onnxruntime, fixed batches", ortFixed));
  console.log(row("pytorch, fixed batches", torchFixed.seconds));
  console.log(row("onnxruntime end-to-end encode() incl. tokenizer", e2e));
  const r1 = torchBudget.seconds / ortBudget;
  const r2 = torchFixed.seconds / ortBudget;
  const r3 = torchBudget.seconds / int8Budget;
  console.log(`speed-up ORT fp32 / PyTorch fp32, same batches: ${r1.toFixed(2)}× (target ≥ 1.5×) — ${r1 >= 1.5 ? "PASS" : "MISS"}`);
  console.log(`speed-up ORT int8 / PyTorch fp32, same batches: ${r3.toFixed(2)}× (int8 vs fp32 dense cosine ≥ ${minCos.toFixed(5)})`);
  console.log(`speed-up ORT fp32 token-budget / PyTorch fp32 fixed batches of ${fixedBatch}: ${r2.toFixed(2)}×`);
}

async function main() {
  const models = args("model").length ? args("model") : ["demo", "bge-m3-shape"];
  const n = num("texts", 400);
  const pool = readFileSync(path.join(ROOT, "gpu-worker/inference/fixtures/parity-texts.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { text: string }).text);
  const texts = Array.from({ length: n }, (_, i) => pool[i % pool.length]!);
  console.log(`bench/encode on ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), threads ${num("threads", cpus().length)} for both ORT and PyTorch`);
  const threads = num("threads", cpus().length);
  for (const m of models) await benchModel(m, texts, num("max-length", 256), num("budget", 8192), num("fixed-batch", 32), threads, num("reps", 3));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
