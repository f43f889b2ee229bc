/**
 * bench/full-size: the phases that run in a Node process of their own (so bench/full-size/run.ts measures their
 * wall time and peak RSS), each through the product's own functions. Prints one JSON object (the phase's
 * figures) as the last stdout line.
 *
 *   npx tsx bench/full-size/phase.ts register|quality|data|serve|precision|bundle|download MODEL_DIR [ARGS...]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { buildQualityReport, type QualityRow } from "~/server/lib/quality/report";
import { inspectModelFolder } from "~/server/services/models/registry";
import { ensurePrecisionGraph } from "~/gpu-worker/deploy/precision-graph";
import { parityProbe } from "~/gpu-worker/deploy/parity-probe";
import { openModelFolder } from "~/gpu-worker/inference/model-folder";
import { M3Tokenizer } from "~/gpu-worker/inference/tokenizer";
import { writeBundle } from "~/gpu-worker/serve/bundle";
import { download } from "./download";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PY = "/usr/bin/python3";
const [phase, model, ...rest] = process.argv.slice(2);
const log = (m: string) => void process.stderr.write(`[${phase}] ${m}\n`);

const tokenizerOf = (dir: string) => {
  const f = openModelFolder(dir, { needOnnx: false });
  return M3Tokenizer.fromFiles(f.tokenizerJson, f.tokenizerConfig);
};

/** MedQuAD rows of the shipped demo data (data/demo/): question, answer, focus. */
function demoRows(): Array<{ q: string; a: string; focus: string }> {
  return readFileSync(path.join(ROOT, "data/demo/medquad-en/gard-ghr.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { question: string; answer: string; focus: string })
    .filter((r) => r.question && r.answer)
    .map((r) => ({ q: r.question, a: r.answer, focus: r.focus }));
}

/**
 * Registration as the Models page does it (tRPC model.register, an editor of a fresh workspace, in the bench's own
 * database DATABASE_URL, recreated and migrated here), then the new-run form's estimate (tRPC experiment.estimate)
 * for each training config given as JSON (name → config overrides).
 */
async function register() {
  const [runsJson = "{}"] = rest;
  const { recreateDatabase } = await import("~/server/testing/database");
  await recreateDatabase(process.env.DATABASE_URL!);
  const { callerFor, createUser, createWorkspaceWith } = await import("~/server/testing/factories");
  const user = await createUser();
  const ws = await createWorkspaceWith([{ userId: user.id, role: "EDITOR" }]);
  const api = callerFor(user.id);
  const t0 = Date.now();
  const row = await api.model.register({ workspaceId: ws.id, name: "bge-m3-shaped", dir: path.resolve(model!) });
  const registerMs = Date.now() - t0;
  const info = inspectModelFolder(path.resolve(model!));
  const estimates: Record<string, unknown> = {};
  for (const [name, config] of Object.entries(JSON.parse(runsJson) as Record<string, object>))
    estimates[name] = (await api.experiment.estimate({ workspaceId: ws.id, baseModelId: row.id, preset: "custom", config })).estimate;
  const t1 = Date.now();
  const tok = tokenizerOf(model!);
  const loadMs = Date.now() - t1;
  const sample = tok.encode("What is BGE M3? <mask> 脂肪肝怎么治疗？", 8192);
  const { db } = await import("~/server/db");
  await db.$disconnect();
  return { ...info, parameters: row.parameters, registerMs, estimates, tokenizerLoadMs: loadMs, specialIds: { cls: tok.clsId, pad: tok.padId, eos: tok.eosId, unk: tok.unkId }, sampleIds: sample.ids };
}

async function quality() {
  const tok = tokenizerOf(model!);
  const rows = demoRows();
  const byFocus = new Map<string, string>();
  for (const r of rows) if (!byFocus.has(r.focus)) byFocus.set(r.focus, r.a);
  const foci = [...byFocus.keys()];
  const qrows: QualityRow[] = rows.map((r, i) => ({ query: r.q, pos: [r.a], neg: [byFocus.get(foci[(i * 7 + 3) % foci.length]!)!] }));
  const t0 = Date.now();
  const report = buildQualityReport(qrows, { countTokens: (t) => tok.encode(t, Number.MAX_SAFE_INTEGER).fullLength });
  const ms = Date.now() - t0;
  const lengths = report.lengths as unknown as Record<string, { tokens?: { p50?: number; p95?: number; max?: number } }>;
  return { rows: qrows.length, ms, passageTokens: lengths.positive?.tokens ?? null, queryTokens: lengths.query?.tokens ?? null };
}

/** Training groups (query, 1 positive, 7 negatives from other foci) and a small BEIR evaluation set, tokenised
 * as gpu-worker/tasks/train.ts tokenises (M3Tokenizer, query ≤ 64, passage ≤ 512 tokens). */
async function data() {
  const [out, maxQ = "64", maxP = "512"] = rest;
  mkdirSync(path.join(out!, "eval", "qrels"), { recursive: true });
  const tok = tokenizerOf(model!);
  const rows = demoRows();
  const byFocus = new Map<string, typeof rows>();
  for (const r of rows) byFocus.set(r.focus, [...(byFocus.get(r.focus) ?? []), r]);
  const foci = [...byFocus.keys()].sort();
  const pick = (i: number) => byFocus.get(foci[i % foci.length]!)![0]!;
  const lines: string[] = [];
  let passageTokens = 0;
  for (let i = 0; i < 32; i++) {
    const r = pick(i);
    const neg = Array.from({ length: 7 }, (_, k) => pick(i + 40 + k * 13).a);
    const pos = tok.encode(r.a, Number(maxP)).ids;
    passageTokens += pos.length;
    lines.push(JSON.stringify({ query: tok.encode(r.q, Number(maxQ)).ids, pos: [pos], neg: neg.map((n) => tok.encode(n, Number(maxP)).ids), source: "en" }));
  }
  writeFileSync(path.join(out!, "train.jsonl"), lines.join("\n") + "\n");
  // evaluation: 8 queries from foci not used above, their answers + 16 other answers as the corpus (small: each
  // model encodes it with PyTorch on 2 shared cores)
  const evalFoci = foci.slice(200, 224);
  const corpus = evalFoci.map((f, i) => ({ _id: `d${i}`, text: byFocus.get(f)![0]!.a }));
  const queries = evalFoci.slice(0, 8).map((f, i) => ({ _id: `q${i}`, text: byFocus.get(f)![0]!.q }));
  writeFileSync(path.join(out!, "eval", "corpus.jsonl"), corpus.map((c) => JSON.stringify(c)).join("\n") + "\n");
  writeFileSync(path.join(out!, "eval", "queries.jsonl"), queries.map((c) => JSON.stringify(c)).join("\n") + "\n");
  writeFileSync(path.join(out!, "eval", "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\n" + queries.map((q, i) => `${q._id}\td${i}\t1`).join("\n") + "\n");
  return { trainGroups: lines.length, meanPositiveTokens: Math.round(passageTokens / lines.length), evalQueries: queries.length, evalCorpus: corpus.length };
}

interface Started {
  proc: ChildProcess;
  url: string;
}

function start(cmd: string, args: string[], urlOf: (ready: Record<string, unknown>) => string): Promise<Started> {
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    let ready = false;
    createInterface({ input: proc.stdout! }).once("line", (line) => {
      ready = true;
      resolve({ proc, url: urlOf(JSON.parse(line) as Record<string, unknown>) });
    });
    proc.once("exit", (code) => !ready && reject(new Error(`${cmd} ${args[0]} exited ${code}: ${err}`)));
  });
}

async function stop(s: Started) {
  if (s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once("exit", r));
  s.proc.kill("SIGTERM");
  const t = setTimeout(() => s.proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(t);
}

const TEXTS = readFileSync(path.join(ROOT, "gpu-worker/inference/fixtures/parity-texts.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { text: string }).text)
  .filter((t) => t.trim()); // the fixture's empty text: our server answers it 400 (as OpenAI), the baseline embeds it

/** Requests/s of POST /v1/embeddings (one text a request, texts cycled: no cache can answer). */
type Load = { rps: number; ok: number; errors: number; kinds: Record<string, number>; p50: number };
function rps(url: string, connections: number, seconds: number): Promise<Load> {
  let n = 0;
  const status = new Map<number, number>();
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${url}/v1/embeddings`, connections, duration: seconds, timeout: 120,
        requests: [{ method: "POST", headers: { "content-type": "application/json" }, setupRequest: (req) => ({ ...req, body: JSON.stringify({ model: "bench", input: TEXTS[n++ % TEXTS.length] }) }) }],
      },
      (err, res) => {
        if (err) return reject(err);
        const kinds: Record<string, number> = {};
        for (const [code, k] of status) if (code !== 200) kinds[`status ${code}`] = k;
        if (res.timeouts) kinds.timeout = res.timeouts;
        if (res.errors - res.timeouts > 0) kinds["socket error (requests cut at the end of the slice)"] = res.errors - res.timeouts;
        resolve({ rps: res["2xx"] / res.duration, ok: res["2xx"], errors: Object.values(kinds).reduce((a, k) => a + k, 0), kinds, p50: res.latency.p50 });
      },
    );
    inst.on("response", (_c, code) => status.set(code, (status.get(code) ?? 0) + 1));
  });
}

async function post(url: string, route: string, body: unknown) {
  const t0 = Date.now();
  const r = await fetch(`${url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${route}: HTTP ${r.status} ${await r.text()}`);
  return { json: (await r.json()) as Record<string, unknown>, ms: Date.now() - t0 };
}

/**
 * Our server (gpu-worker/serve/main.ts) and the minimal PyTorch server on the same weights, both up at once; each
 * level runs in 2 rounds of alternating slices (order swapped between rounds), so that a shared machine's changing
 * load falls on both alike.
 */
async function serve() {
  const [threads = "2", seconds = "20", device = "cpu"] = rest;
  const out: Record<string, unknown> = {};
  const ours = await start(process.execPath, ["--import", "tsx", "gpu-worker/serve/main.ts", "--model", model!, "--port", "0", "--threads", threads, "--cache-entries", "0", "--name", "bench"], (r) => String(r.url));
  let torch: Started | null = null;
  try {
    const emb = await post(ours.url, "/v1/embeddings", { model: "bench", input: ["What is BGE M3?", "脂肪肝怎么治疗？"] });
    const enc = await post(ours.url, "/v1/encode", { input: ["What is BGE M3?"], return_dense: true, return_sparse: true, return_colbert_vecs: true });
    const score = await post(ours.url, "/v1/score", { pairs: [["What is BGE M3?", "BGE M3 is an embedding model."], ["What is BM25?", "BM25 is a ranking function."]] });
    const d0 = (enc.json.data as Array<Record<string, unknown>>)[0]!;
    out.endpoints = {
      embeddingsMs: emb.ms, embeddingDim: ((emb.json.data as Array<{ embedding: number[] }>)[0]!.embedding).length,
      encodeMs: enc.ms, encodeKeys: Object.keys(d0), scoreMs: score.ms, score: score.json,
    };
    log("endpoints answered; parity probe");
    const t0 = Date.now();
    out.parityProbe = { ...(await parityProbe(ours.url, model!, null)), ms: Date.now() - t0 };
    torch = await start(PY, ["bench/full-size/torch_server.py", model!, "--threads", threads, "--device", device], (r) => `http://127.0.0.1:${String(r.port)}`);
    log(`parity ${JSON.stringify(out.parityProbe)}; load at 1 and 16 clients, 2 alternating rounds`);
    const slice = Number(seconds) / 2;
    const sum = { ours: {} as Record<string, Load[]>, torch: {} as Record<string, Load[]> };
    for (const round of [0, 1])
      for (const c of [1, 16]) {
        const order = round === 0 ? (["ours", "torch"] as const) : (["torch", "ours"] as const);
        for (const who of order) (sum[who][`c${c}`] ??= []).push(await rps(who === "ours" ? ours.url : torch.url, c, slice));
      }
    const merge = (xs: Load[]) => ({ rps: xs.reduce((a, x) => a + x.ok, 0) / (slice * xs.length), ok: xs.reduce((a, x) => a + x.ok, 0), errors: xs.reduce((a, x) => a + x.errors, 0), kinds: Object.assign({}, ...xs.map((x) => x.kinds)), p50: Math.max(...xs.map((x) => x.p50)) });
    out.ours = Object.fromEntries(Object.entries(sum.ours).map(([k, v]) => [k, merge(v)]));
    out.torch = Object.fromEntries(Object.entries(sum.torch).map(([k, v]) => [k, merge(v)]));
  } finally {
    await stop(ours);
    if (torch) await stop(torch);
  }
  return out;
}

async function precision() {
  const [p] = rest as ["int8" | "fp16"];
  const file = await ensurePrecisionGraph(model!, p, async (l) => log(l), new AbortController().signal);
  const abs = path.isAbsolute(file) ? file : path.join(model!, file);
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  return { file, bytes: size(abs), externalDataBytes: size(`${abs}.data`) };
}

async function bundle() {
  const [out] = rest;
  const t0 = Date.now();
  const res = writeBundle(model!, out!, { name: "m3-shaped" });
  const files = res.files.map((f) => ({ f, bytes: statSync(path.join(out!, "model", f)).size }));
  return { ms: Date.now() - t0, files };
}

const PHASES: Record<string, () => Promise<unknown>> = { register, quality, data, serve, precision, bundle, download: () => download(model!, rest[0]!, rest[1]!) };
const fn = PHASES[phase ?? ""];
if (!fn || !model) {
  process.stderr.write(`usage: phase.ts ${Object.keys(PHASES).join("|")} MODEL_DIR [ARGS...]\n`);
  process.exit(2);
}
fn()
  .then((r) => {
    process.stdout.write(JSON.stringify(r) + "\n");
    process.exit(0);
  })
  .catch((e) => {
    process.stderr.write(`[${phase}] ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
