/**
 * bench/index: documents/s and peak RSS of indexing a corpus (the `m3 index` engine: validate the file, encode in
 * batches into part files, stream the parts into the store exports) with the demo model, for synthetic corpora of
 * growing size. Each size runs in a fresh child process, so its peak RSS is its own; RSS is also sampled at every
 * progress step to show it staying flat while the corpus goes by.
 * Documents: MedQuAD answers cut into sentences and re-assembled (3–12 sentences each, seeded), so lengths and
 * vocabulary are those of the real corpus while every document is different.
 * Baseline: the same corpus, read the same way (fileCorpus pages) and encoded by the same encoder with the same
 * outputs, batch size, max length and threads, with nothing kept or written — the least any indexer of this model
 * must do. Its documents/s and peak RSS, in a fresh child process of its own, are what the engine's are divided by.
 * Usage: npx tsx bench/index/run.ts [--docs 10000,100000] [--stores milvus,qdrant,elasticsearch,pgvector]
 *        [--colbert-dimensions N --colbert-format int8] [--max-length 256] [--batch-size 64] [--threads 2] [--no-baseline | --baseline-docs 10000]
 */
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync, rmSync, statSync } from "node:fs";
import { mkdtemp, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    docs: { type: "string", default: "10000,100000" }, stores: { type: "string", default: "milvus,qdrant,elasticsearch,pgvector" },
    "colbert-dimensions": { type: "string" }, "colbert-format": { type: "string" }, "max-length": { type: "string", default: "256" },
    "batch-size": { type: "string", default: "64" }, threads: { type: "string", default: "2" }, child: { type: "string" },
    /** baseline: this child runs the bare-encoding baseline (internal); no-baseline: skip the baseline runs. */
    baseline: { type: "boolean" }, "no-baseline": { type: "boolean" },
    /** Sizes (of --docs) that also get the baseline run; default: all of them. */
    "baseline-docs": { type: "string" },
  },
});
const engineArgs = () => [
  "--model", path.join(ROOT, ".cache/demo-model"), "--stores", values.stores!, "--max-length", values["max-length"]!, "--batch-size", values["batch-size"]!,
  "--threads", values.threads!, ...(values["colbert-dimensions"] ? ["--colbert-dimensions", values["colbert-dimensions"]] : []),
  ...(values["colbert-format"] ? ["--colbert-format", values["colbert-format"]] : []),
];

if (values.child && values.baseline) {
  // Baseline child: read and encode the corpus batch by batch, keep nothing.
  const { fileCorpus } = await import("../../gpu-worker/indexing/file-corpus");
  const { loadEncoder } = await import("../../gpu-worker/inference/load");
  const corpus = values.child.split("|")[0]!;
  const started = performance.now();
  const source = await fileCorpus(corpus);
  const { encoder, maxLength } = await loadEncoder(path.join(ROOT, ".cache/demo-model"), { threads: Number(values.threads) });
  const batch = Number(values["batch-size"]);
  const outputs = ["dense", "sparse", ...(values["colbert-dimensions"] || values["colbert-format"] ? ["colbert" as const] : [])] as Array<"dense" | "sparse" | "colbert">;
  for (let offset = 0; offset < source.total; offset += batch) {
    const docs = await source.page(offset, batch);
    await encoder.encode(docs.map((d) => d.text), { maxLength: Math.min(Number(values["max-length"]), maxLength), outputs });
  }
  await encoder.backend.close();
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ documents: source.total, seconds, docsPerSecond: source.total / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

if (values.child) {
  // Child: index one corpus file and report time, throughput and RSS as JSON on the last stdout line.
  const [corpus, out] = values.child.split("|") as [string, string];
  const { indexCommand } = await import("../../gpu-worker/cli/index-command");
  const samples: Array<{ fraction: number; rssMiB: number }> = [];
  const started = performance.now();
  let encodedAt = 0;
  const manifest = await indexCommand([...engineArgs(), "--corpus", corpus, "--output", out, "--name", "bench"], {
    log: (line) => {
      const fraction = Number(line.split("%")[0]) / 100;
      if (line.includes("writing ")) encodedAt = performance.now();
      samples.push({ fraction, rssMiB: process.memoryUsage().rss / 2 ** 20 });
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const at = (f: number) => samples.find((s) => s.fraction >= f)?.rssMiB ?? NaN;
  console.log(JSON.stringify({
    documents: manifest.documents, seconds, encodeSeconds: (encodedAt - started) / 1000, docsPerSecond: manifest.documents / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024, rssAt10: at(0.09), rssAt50: at(0.45), rssAtEnd: samples.at(-1)?.rssMiB ?? NaN,
  }));
  process.exit(0);
}

/** A small seeded PRNG (mulberry32): the same corpus every run. */
function rng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeCorpus(file: string, docs: number) {
  const { MEDQUAD_JSONL } = await import("../../server/testing/shared-data");
  const sentences = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").filter(Boolean)
    .flatMap((l) => (JSON.parse(l) as { answer: string }).answer.split(/(?<=[.!?])\s+/)).filter((s) => s.length > 20);
  const random = rng(17);
  const out = createWriteStream(file);
  for (let i = 0; i < docs; i++) {
    const n = 3 + Math.floor(random() * 10);
    const text = Array.from({ length: n }, () => sentences[Math.floor(random() * sentences.length)]).join(" ");
    if (!out.write(JSON.stringify({ _id: `doc-${i}`, text }) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name))).size;
  return total;
}

// The child gets the same engine options (all but --docs).
const passOn = Object.entries(values).filter(([k, v]) => !["docs", "child", "baseline", "no-baseline", "baseline-docs"].includes(k) && v !== undefined).flatMap(([k, v]) => [`--${k}`, String(v)]);
const child = (corpus: string, out: string, baseline: boolean) => {
  const r = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, ...passOn, ...(baseline ? ["--baseline"] : []), "--child", `${corpus}|${out}`], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${baseline ? "baseline " : ""}child for ${corpus} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
};
const tmp = await mkdtemp(path.join(os.tmpdir(), "m3-bench-index-"));
const rows: string[] = [];
try {
  for (const docs of values.docs!.split(",").map(Number)) {
    const corpus = path.join(tmp, `corpus-${docs}.jsonl`);
    await writeCorpus(corpus, docs);
    const out = path.join(tmp, `out-${docs}`);
    const withBaseline = !values["no-baseline"] && (!values["baseline-docs"] || values["baseline-docs"].split(",").map(Number).includes(docs));
    const load = () => os.loadavg()[0]!.toFixed(1);
    const loadBefore = load();
    const m = child(corpus, out, false);
    const loadAfter = load();
    const exportMiB = (await folderBytes(out)) / 2 ** 20;
    const b = withBaseline ? child(corpus, out, true) : null;
    // The machine is shared: the 1-minute load average before and after each child says how fair the comparison was.
    console.error(`${docs} documents: load ${loadBefore} → ${loadAfter} (engine)${b ? `, → ${load()} (baseline)` : ""}`);
    const vs = (x: number, y: number | undefined, digits: number, unit = "") => (y === undefined ? "–" : `${y.toFixed(digits)}${unit} (× ${(x / y).toFixed(2)})`);
    const row = `| ${docs.toLocaleString("en")} | ${(statSync(corpus).size / 2 ** 20).toFixed(1)} MiB | ${m.docsPerSecond!.toFixed(1)} | ${vs(m.docsPerSecond!, b?.docsPerSecond, 1)} | ${m.seconds!.toFixed(1)} s (encode ${m.encodeSeconds!.toFixed(1)} s) | ${m.rssAt10!.toFixed(0)} / ${m.rssAt50!.toFixed(0)} / ${m.rssAtEnd!.toFixed(0)} MiB | ${m.peakRssMiB!.toFixed(0)} MiB | ${vs(m.peakRssMiB!, b?.peakRssMiB, 0, " MiB")} | ${exportMiB.toFixed(0)} MiB |`;
    rows.push(row);
    console.error(row);
    rmSync(out, { recursive: true, force: true });
    rmSync(corpus, { force: true });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`| documents | corpus file | documents/s | baseline documents/s (× engine/baseline) | time | RSS at 10 % / 50 % / end | peak RSS | baseline peak RSS (× engine/baseline) | export files |\n|---|---|---|---|---|---|---|---|---|\n${rows.join("\n")}`);
