/**
 * bench/full-size: the product at BGE-M3's size (24 layers, hidden 1024, vocab 250,002, 568M parameters), headless,
 * through its own code paths, phase by phase; writes bench/results/full-size.md after every phase.
 *
 *   npx tsx bench/full-size/run.ts [--work .cache/full-size] [--only a,b] [--redo a,b] [--device cpu|cuda]
 *                                  [--threads 2] [--serve-seconds 20] [--model-args "--layers 2 ..."] [--results FILE]
 * (--model-args makes a small variant, to try the bench quickly, with --results elsewhere: bench/results is full size.)
 *
 * Resumable: finished phases are kept in WORK/state.json and skipped (--redo runs them again); a failed phase is
 * recorded with its error and the next phases still run (those that need its output say so). Each phase runs in
 * child processes; its peak RSS is the largest sum of RSS over this process's descendants, sampled every 0.5 s.
 * Logs: WORK/logs/<phase>.log. docs/full-size.md explains each phase and what it calls.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resolveConfig, toTrainerConfig, type TrainConfigInput } from "~/server/services/experiments/schema";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PY = "/usr/bin/python3";
const argv = process.argv.slice(2);
const opt = (name: string, d: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : d;
};
const list = (name: string) => opt(name, "").split(",").filter(Boolean);
const WORK = path.resolve(ROOT, opt("work", ".cache/full-size"));
const MODEL = path.join(WORK, "m3-shaped");
const DEVICE = opt("device", "cpu");
const THREADS = opt("threads", "2");
const SERVE_S = opt("serve-seconds", "20");
const RESULTS = path.resolve(ROOT, opt("results", "bench/results/full-size.md"));
mkdirSync(path.join(WORK, "logs"), { recursive: true });

interface PhaseState {
  status: "done" | "failed";
  wallS: number;
  peakRssMiB: number;
  figures?: Record<string, unknown>;
  error?: string;
  at: string;
}
const STATE_FILE = path.join(WORK, "state.json");
const state: Record<string, PhaseState> = existsSync(STATE_FILE) ? JSON.parse(readFileSync(STATE_FILE, "utf8")) : {};
function saveState() {
  writeFileSync(`${STATE_FILE}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${STATE_FILE}.tmp`, STATE_FILE);
}

// ---- peak RSS of the process tree --------------------------------------------------------------------------

function treeRssKiB(): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(d), Number(fields[1]));
      rss.set(Number(d), Number(fields[21]) * 4); // rss in 4 KiB pages
    } catch {
      /* exited meanwhile */
    }
  }
  let total = 0;
  for (const [pid, kib] of rss) {
    let p: number | undefined = parent.get(pid);
    while (p !== undefined && p > 1 && p !== process.pid) p = parent.get(p);
    if (p === process.pid) total += kib;
  }
  return total;
}

let phaseLog = "";
function sh(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  appendFileSync(phaseLog, `$ ${cmd} ${args.join(" ")}\n`);
  const proc = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    appendFileSync(phaseLog, d);
  });
  proc.stderr.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-3000);
    appendFileSync(phaseLog, d);
  });
  return new Promise((resolve, reject) =>
    proc.once("exit", (code, sig) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(" ")} exited ${code ?? sig}: ${err.trim().split("\n").slice(-6).join(" | ")}`)))),
  );
}
const lastJson = (out: string) => JSON.parse(out.trim().split("\n").filter((l) => l.startsWith("{")).pop() ?? "null") as Record<string, unknown>;
// The phases import server code that reads its environment: a database of the bench's own on the local PostgreSQL
// (recreated by the register phase), the model root the registry accepts (the bench's folder).
const PHASE_ENV = {
  DATABASE_URL: process.env.M3_BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/m3_bench_full_size",
  AUTH_SECRET: "bench-full-size-secret-0123456789abcdef", M3_MODEL_ROOTS: WORK, ARTIFACTS_DIR: `${WORK}-artifacts`,
};
const tsPhase = async (name: string, ...args: string[]) => lastJson(await sh(process.execPath, ["--import", "tsx", "bench/full-size/phase.ts", name, MODEL, ...args], { env: PHASE_ENV }));
const need = (p: string, why: string) => {
  if (!existsSync(p)) throw new Error(`needs ${why} (${p} is missing)`);
  return p;
};

// ---- training runs ------------------------------------------------------------------------------------------

const RUNS: Record<string, TrainConfigInput> = {
  // the article's LoRA (r 16, α 32 on query/key/value), dense, a few steps at max length 512; one group of
  // 1 + 1 passages a step: without checkpointing its activations (~3.3 MB a token at this size) must fit in 24 GiB
  lora: { mode: "dense", lora: { r: 16, alpha: 32, dropout: 0.05, targetModules: ["query", "key", "value"] }, maxSteps: 3, batchSize: 1, trainGroupSize: 2, learningRate: 1e-4, maxQueryLength: 64, maxPassageLength: 512, precision: "fp32", device: DEVICE as "cpu", logSteps: 1, warmupRatio: 0, evalModes: ["dense"] },
  // unified dense+sparse+ColBERT, full fine-tune, GradCache (sub-batches of 2 sequences) + gradient checkpointing
  unified: { mode: "unified", lora: null, maxSteps: 2, batchSize: 2, trainGroupSize: 2, subBatchSize: 2, gradientCheckpointing: true, selfDistill: true, learningRate: 1e-5, maxQueryLength: 64, maxPassageLength: 512, precision: "fp32", device: DEVICE as "cpu", logSteps: 1, warmupRatio: 0 },
};

async function trainRun(name: string) {
  const data = need(path.join(WORK, "data", "train.jsonl"), "the data phase");
  const reg = state.register?.figures as { estimates: Record<string, { memoryGb: number; breakdown: unknown }> } | undefined;
  if (!reg) throw new Error("needs the register phase (it asks the new-run form's estimate)");
  const c = resolveConfig("custom", RUNS[name]!);
  const estimate = reg.estimates[name]!;
  const runDir = path.join(WORK, name);
  // a fresh output folder: the trainer would resume from a checkpoint left there, and measure nothing
  rmSync(path.join(runDir, "output"), { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const config = { ...toTrainerConfig(c), model: MODEL, output_dir: path.join(runDir, "output"), train_data: [data], val_data: null, eval_steps: 0, keep_last: 1 };
  writeFileSync(path.join(runDir, "trainer-config.json"), JSON.stringify(config, null, 2));
  const out = await sh(PY, ["-m", "trainer", "train", "--config", path.join(runDir, "trainer-config.json")], { cwd: path.join(ROOT, "gpu-worker"), env: { OMP_NUM_THREADS: THREADS } });
  const events = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  const steps = events.filter((e) => e.event === "step");
  const done = events.find((e) => e.event === "done");
  if (!done) throw new Error("no done event");
  return {
    config: RUNS[name], estimateGb: estimate.memoryGb, estimateBreakdown: estimate.breakdown,
    steps: steps.map((s) => ({ step: s.step, loss: s.loss, samplesPerS: s.samples_per_s })), seconds: done.seconds, model: done.model,
  };
}

// ---- phases -------------------------------------------------------------------------------------------------

const lora = () => (state.lora?.figures?.model as string | undefined) ?? "";
const PHASES: Array<{ name: string; what: string; run: () => Promise<Record<string, unknown>> }> = [
  { name: "model", what: "bash scripts/make-m3-shaped-model.sh (seeded random BGE-M3-shaped folder)", run: async () => {
    await sh("bash", [path.join(ROOT, "scripts/make-m3-shaped-model.sh"), MODEL, ...opt("model-args", "").split(" ").filter(Boolean)]);
    return { folder: MODEL };
  } },
  { name: "register", what: "tRPC model.register (an editor, own database) + the new-run form's estimate (tRPC experiment.estimate) + M3Tokenizer load", run: () => tsPhase("register", JSON.stringify(RUNS)) },
  { name: "quality", what: "buildQualityReport (the dataset-quality job's report) with the model's tokenizer on the 1,200 MedQuAD rows of data/demo/", run: () => tsPhase("quality") },
  { name: "data", what: "32 training groups (1 pos + 7 neg, ≤ 512 tokens) and an 8-query/24-passage BEIR set, tokenised with M3Tokenizer", run: () => tsPhase("data", path.join(WORK, "data")) },
  { name: "lora", what: "python -m trainer train: LoRA r 16 α 32 query/key/value, dense, 3 steps × 1 group of 1 query + 2 passages, max length 512", run: () => trainRun("lora") },
  { name: "export", what: "python -m trainer export (fp32 ONNX, external data) with its PyTorch parity", run: async () => {
    const out = lastJson(await sh(PY, ["-m", "trainer", "export", "--model", MODEL], { cwd: path.join(ROOT, "gpu-worker") }));
    return out;
  } },
  { name: "serve", what: "gpu-worker/serve/main.ts: /v1/embeddings, /v1/encode, /v1/score, the deployment parity probe, req/s at 1 and 16 clients; against the minimal PyTorch server in alternating slices", run: () => {
    need(path.join(MODEL, "onnx", "model.onnx"), "the export phase");
    return tsPhase("serve", THREADS, SERVE_S, DEVICE);
  } },
  { name: "bundle", what: "gpu-worker/serve/bundle.ts writeBundle (the serving bundle: graph + external data + sha256)", run: () => {
    need(path.join(MODEL, "onnx", "model.onnx"), "the export phase");
    return tsPhase("bundle", path.join(WORK, "bundle"));
  } },
  { name: "merge", what: "python -m trainer merge: LoRA checkpoint with base, W 0.5", run: async () => {
    need(lora(), "the lora phase");
    const out = path.join(WORK, "merged");
    return lastJson(await sh(PY, ["-m", "trainer", "merge", "--base", MODEL, "--tuned", lora(), "--weight", "0.5", "--out", out], { cwd: path.join(ROOT, "gpu-worker") }));
  } },
  { name: "unified", what: "python -m trainer train: unified dense+sparse+ColBERT, full fine-tune, GradCache (2 sequences a chunk) + gradient checkpointing, 2 steps × 2 groups of 1 query + 2 passages, max length 512", run: () => trainRun("unified") },
  { name: "eval", what: "m3 eval (the evaluate job's runEvaluation) base vs the LoRA checkpoint, torch backend, dense/sparse/ColBERT, 8 queries / 24 passages ≤ 256 tokens", run: async () => {
    need(lora(), "the lora phase");
    const data = need(path.join(WORK, "data", "eval"), "the data phase");
    const report = path.join(WORK, "eval", "report.json");
    mkdirSync(path.dirname(report), { recursive: true });
    const out = await sh(process.execPath, ["--import", "tsx", "gpu-worker/cli/m3.ts", "eval", "--model", MODEL, "--tuned", lora(), "--data", data, "--output", report, "--modes", "dense,sparse,colbert", "--backend", "torch", "--passage-max-length", "256", "--query-max-length", "64"]);
    return { summary: JSON.parse(out) };
  } },
  { name: "download", what: "the checkpoint download (server/http/checkpoint-tar.ts tarStream, what GET /api/models/<id>/download sends) of the LoRA checkpoint, exported to ONNX first; read back with GNU tar (sha256 of every file), loaded by the trainer's loader (+ transformers' XLMRobertaModel when installed), outputs vs the checkpoint", run: async () => {
    need(lora(), "the lora phase");
    // the checkpoint row's folder (the worker links checkpoint-N/model as checkpoints/step-N): the last step's
    const output = path.dirname(lora());
    const last = readdirSync(output).filter((d) => /^checkpoint-\d+$/.test(d)).sort((a, b) => Number(a.slice(11)) - Number(b.slice(11))).pop();
    const ckpt = last ? path.join(output, last, "model") : lora();
    // a deployed checkpoint has its graph in onnx/ (external data at this size): the download must carry both files
    let exportS: number | null = null;
    if (!existsSync(path.join(ckpt, "onnx", "model.onnx"))) {
      const t0 = Date.now();
      await sh(PY, ["-m", "trainer", "export", "--model", ckpt], { cwd: path.join(ROOT, "gpu-worker") });
      exportS = (Date.now() - t0) / 1000;
    }
    const name = `m3-shaped-lora-step-${last ? last.slice(11) : "final"}`; // the route names it <run>-step-<N>
    const out = lastJson(await sh(process.execPath, ["--import", "tsx", "bench/full-size/phase.ts", "download", ckpt, path.join(WORK, "download"), name], { env: PHASE_ENV }));
    return { ...out, exportS };
  } },
  { name: "int8", what: "deploy/precision-graph ensurePrecisionGraph int8 (quantize_int8.py)", run: () => tsPhase("precision", "int8") },
  { name: "fp16", what: "deploy/precision-graph ensurePrecisionGraph fp16 (trainer export --fp16)", run: () => tsPhase("precision", "fp16") },
];

// ---- report ------------------------------------------------------------------------------------------------

const fmt = (x: unknown, d = 2) => (typeof x === "number" ? x.toFixed(d) : "—");
function writeReport() {
  const L: string[] = [];
  L.push("# bench/full-size: the product at BGE-M3's size on this machine", "");
  L.push(`Command: \`npx tsx bench/full-size/run.ts\` (device ${DEVICE}, ${THREADS} threads; see docs/full-size.md). Model: \`bash scripts/make-m3-shaped-model.sh\` — BAAI/bge-m3's layout, config and tokenizer ids with **seeded random weights** (a stand-in for size and shape; its retrieval figures mean nothing). Updated ${new Date().toISOString()} — machine: ${readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?"}, ${(Number(readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s+(\d+)/)?.[1]) / 1048576).toFixed(0)} GiB RAM, 2 shared cores.`, "");
  L.push("| phase | what it runs | status | wall s | peak RSS MiB |", "|---|---|---|---|---|");
  for (const p of PHASES) {
    const s = state[p.name];
    L.push(`| ${p.name} | ${p.what} | ${s ? (s.status === "done" ? "done" : `FAILED: ${(s.error ?? "").replace(/\|/g, "/").slice(0, 300)}`) : "not run"} | ${s ? fmt(s.wallS, 1) : "—"} | ${s ? fmt(s.peakRssMiB, 0) : "—"} |`);
  }
  L.push("");
  const f = (n: string) => state[n]?.status === "done" ? (state[n]!.figures as Record<string, any>) : undefined;
  const reg = f("register");
  if (reg) L.push("## Register", "", `${reg.architecture}, ${reg.layers} layers, hidden ${reg.dim}, vocab ${reg.vocabSize}, ${Number(reg.parameters).toLocaleString("en")} parameters in ${reg.weights}, max length ${reg.maxLength}; tRPC model.register ${reg.registerMs} ms, tokenizer.json load ${reg.tokenizerLoadMs} ms; special ids ${JSON.stringify(reg.specialIds)}; \`What is BGE M3? <mask> 脂肪肝怎么治疗？\` → ${JSON.stringify(reg.sampleIds)}.`, "");
  const q = f("quality");
  if (q) L.push("## Quality report", "", `${q.rows} rows in ${q.ms} ms with the 250,002-piece tokenizer; positive tokens ${JSON.stringify(q.passageTokens)}.`, "");
  const trainRows = ["lora", "unified"].map((n) => [n, f(n), state[n]] as const).filter(([, x]) => x);
  if (trainRows.length) {
    L.push("## Training: the new-run form's memory estimate against the measured peak", "", "| run | steps | s/step (mean) | last loss | estimate GB | measured peak GB (RSS) | measured / estimate |", "|---|---|---|---|---|---|---|");
    for (const [n, x, s] of trainRows) {
      const steps = x!.steps as Array<{ loss: number }>;
      const peakGb = s!.peakRssMiB / 1024;
      // the register phase's estimate (rerun it after a change to the estimate), else the one the run recorded
      const est = Number((reg?.estimates as Record<string, { memoryGb: number }> | undefined)?.[n]?.memoryGb ?? x!.estimateGb);
      L.push(`| ${n} | ${steps.length} | ${fmt(Number(x!.seconds) / Math.max(1, steps.length), 1)} | ${fmt(steps.at(-1)?.loss, 4)} | ${fmt(est)} | ${fmt(peakGb)} | ${fmt(peakGb / est)} |`);
    }
    L.push("", "GB here are GiB (1024³ bytes), as the estimate computes them. Peak RSS is the whole trainer process (weights, optimizer, activations, Python and torch themselves); the estimate is the new-run form's (tRPC experiment.estimate → schema.ts `estimateRun`) for the same config (target within ±25 %).", "");
  }
  const ex = f("export");
  if (ex) L.push("## ONNX export (fp32) vs PyTorch", "", `external data: ${String(ex.external_data)}; parity: \`${JSON.stringify(ex.parity)}\` (target ≤ 1e-4 on dense, sparse, ColBERT).`, "");
  const sv = f("serve");
  if (sv) {
    const o = sv.ours as any, t = sv.torch as any;
    L.push("## Serving", "", `Endpoints: ${JSON.stringify(sv.endpoints)}.`, "", `Deployment parity probe (served vs the fp32 engine): ${JSON.stringify(sv.parityProbe)}.`, "");
    L.push("| clients | ours req/s | PyTorch req/s | ours / PyTorch | ours p50 ms | PyTorch p50 ms |", "|---|---|---|---|---|---|");
    for (const c of ["c1", "c16"]) L.push(`| ${c.slice(1)} | ${fmt(o?.[c]?.rps)} | ${fmt(t?.[c]?.rps)} | ${fmt(o?.[c]?.rps / t?.[c]?.rps)} | ${o?.[c]?.p50 ?? "—"} | ${t?.[c]?.p50 ?? "—"} |`);
    L.push("", `One short text per request (gpu-worker/inference/fixtures/parity-texts.jsonl cycled), ${SERVE_S} s per level and server in 2 alternating rounds (both servers up at once), ${THREADS} threads each; p50 is the larger of the two rounds, errors: ours ${o?.c1?.errors}/${o?.c16?.errors}, PyTorch ${t?.c1?.errors}/${t?.c16?.errors}.`, "");
  }
  const ev = f("eval");
  if (ev) L.push("## Evaluation (base vs LoRA checkpoint; random weights, so the numbers only show the path works)", "", "```json", JSON.stringify(ev.summary, null, 1).slice(0, 3000), "```", "");
  const dl = f("download");
  if (dl) {
    const c = dl.check as any;
    L.push("## Checkpoint download (Hugging Face layout tar)", "",
      `The LoRA checkpoint's folder as the download route streams it (\`tarStream\`): ${Number(dl.tarBytes).toLocaleString("en")} bytes written in ${dl.writeMs} ms${dl.exportS != null ? ` (after \`trainer export\` of the checkpoint, ${fmt(dl.exportS, 1)} s, inside this phase's wall time)` : ""}; GNU tar listed ${dl.listedEntries} entries and extracted them in ${dl.extractMs} ms; sha256 of every extracted file equals the checkpoint's (${dl.hashMs} ms).`, "",
      "| file | bytes |", "|---|---|", ...(dl.files as Array<{ f: string; bytes: number }>).map((x) => `| ${x.f} | ${x.bytes.toLocaleString("en")} |`), "",
      `Loaded from the extracted folder by the trainer's loader (${c.trainerLoader.loadS} s) on ${c.texts} parity texts (${c.tokens} tokens, the product's tokenizer from the same folder): max abs difference to the checkpoint dense ${c.trainerLoader.maxAbsDiff.dense}, sparse ${c.trainerLoader.maxAbsDiff.sparse}, ColBERT ${c.trainerLoader.maxAbsDiff.colbert} (target ≤ 1e-4); ${c.sparseNonZero} of ${c.sparseTokens} piece tokens have a sparse weight > 0. transformers' XLMRobertaModel + the two heads (FlagEmbedding's way): ${c.transformers.skipped ?? `${c.transformers.version}, loaded in ${c.transformers.loadS} s, max abs ${JSON.stringify(c.transformers.maxAbsDiff)}`}.`, "");
  }
  for (const n of ["merge", "bundle", "int8", "fp16"]) {
    const x = f(n);
    if (x) L.push(`## ${n}`, "", "```json", JSON.stringify(x).slice(0, 1500), "```", "");
  }
  L.push("## Fixed for this size (issue 12)", "",
    "- trainer/safetensors_io.py streamed each tensor to and from the file instead of holding the whole file plus copies: saving the 2.27 GB encoder peaked at 4.46 GiB with a 2.35 GiB model in memory, now 2.35 GiB (no copy); loading it peaked at 4.59 GiB, now 2.35 GiB (measured with the previous and the current file on this folder). Every checkpoint and export writes through it.",
    "- The new-run form's memory estimate (server/services/experiments/schema.ts `estimateRun`) counted every sequence of a step at the passage length (queries too) and left out AdamW's step temporaries: LoRA 13.06 → 9.83 GiB, unified 9.54 → 11.65 GiB (measured peaks in the table above; the first runs, under heavy load and before the safetensors change, peaked at 7.94 and 13.14 GiB).",
    "- The bench's own serving load leaves out the parity fixture's empty text (our server answers it 400, as OpenAI does; the baseline embeds it).",
    "");
  L.push("## Reading these figures", "",
    "- model: a build from scratch (567,754,752 encoder parameters, 2.27 GB model.safetensors, tokenizer 8–20 s by load); a folder whose stamp is current is kept (0.1 s).",
    "- The 24 random post-LayerNorm layers collapse every token to nearly the same hidden state (dense cosine 0.93–0.95 between unrelated texts). A random sparse head gave that state a weight ≤ 0 (every sparse weight 0 at full size), so the builder calibrates the sparse head on the hidden states of 32 demo texts cut to 2–48 pieces (scripts/make-m3-shaped-model.py `calibrate_sparse_head`: the tokens' main direction of spread within a text, with the directions texts differ along projected out, scaled to weights 0.2 ± 0.1): at full size 93.3 % of those tokens get a weight > 0 (0.197 ± 0.087; the first piece of a text is the one that stays 0), and the sparse parity, scores and metrics above measure something (sparse retrieval is lexical overlap weighted by that head, so on this small set it scores well although the encoder is random).",
    "- Phases rerun on a quieter machine keep their last figures (the report shows the newest of each); ours against PyTorch is only compared within one serve phase. With 16 clients a 10 s slice cuts off the slowest requests, so p50 there is a lower bound.",
    "");
  L.push("## What this bench does not drive", "",
    "- The checkpoint download route itself (`GET /api/models/<id>/download`, server/http/checkpoint-download.ts) needs a signed-in browser session and a checkpoint row (its README.md is the model card from the database): the download phase calls the same tar writer (`tarStream`) on the LoRA checkpoint's folder with a stand-in card.",
    "- The deployment itself (the serve-deployment job on a worker, with its rows): the bench starts the same server (`gpu-worker/serve/main.ts`) on the exported folder and runs the deployment's parity probe (`parityProbe`) against it.",
    "- A GPU: none was lent to this run; `--device cuda` trains and runs the PyTorch baseline on one.",
    "- The machine is shared (load average from 0.5 to 22 on 2 cores while this ran): wall times and req/s are what a busy 2-core host gives, not this code's best; compare ours with PyTorch within the same serve phase only.",
    "");
  const missing = PHASES.filter((p) => state[p.name]?.status !== "done");
  if (missing.length) L.push("## Not finished", "", ...missing.map((p) => `- ${p.name}: ${state[p.name]?.error ?? "not run in the time this bench had (see docs/full-size.md)"}`), "");
  writeFileSync(`${RESULTS}.tmp`, L.join("\n"));
  renameSync(`${RESULTS}.tmp`, RESULTS);
}

async function main() {
  const only = list("only");
  const redo = new Set(list("redo"));
  for (const p of PHASES) {
    if (only.length && !only.includes(p.name)) continue;
    if (state[p.name]?.status === "done" && !redo.has(p.name)) {
      console.log(`${p.name}: done earlier, skipped`);
      continue;
    }
    phaseLog = path.join(WORK, "logs", `${p.name}.log`);
    writeFileSync(phaseLog, "");
    console.log(`${new Date().toISOString()} ${p.name}: ${p.what}`);
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRssKiB())), 500);
    const t0 = Date.now();
    try {
      const figures = await p.run();
      state[p.name] = { status: "done", wallS: (Date.now() - t0) / 1000, peakRssMiB: Math.max(peak, treeRssKiB()) / 1024, figures, at: new Date().toISOString() };
    } catch (e) {
      state[p.name] = { status: "failed", wallS: (Date.now() - t0) / 1000, peakRssMiB: peak / 1024, error: (e as Error).message, at: new Date().toISOString() };
    } finally {
      clearInterval(timer);
    }
    const s = state[p.name]!;
    console.log(`  ${s.status} in ${s.wallS.toFixed(1)} s, peak RSS ${s.peakRssMiB.toFixed(0)} MiB${s.error ? `: ${s.error}` : ""}`);
    saveState();
    writeReport();
  }
  writeReport();
}

void main();
