/**
 * bench/index: documents/s and peak RSS of indexing a corpus (the `m3 index` engine: validate the file, encode in
 * batches into part files, stream the parts into the store exports) with the demo model, for synthetic corpora of
 * growing size. Each size runs in a fresh child process, so its peak RSS is its own; RSS is also sampled at every
 * progress step to show it staying flat while the corpus goes by.
 * Documents: MedQuAD answers cut into sentences and re-assembled (3–12 sentences each, seeded), so lengths and
 * vocabulary are those of the real corpus while every document is different.
 * Usage: npx tsx bench/index/run.ts [--docs 10000,100000] [--stores milvus,qdrant,elasticsearch,pgvector]
 *        [--colbert-dimensions N --colbert-format int8] [--max-length 256] [--batch-size 64] [--threads 2]
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
  },
});
const engineArgs = () => [
  "--model", path.join(ROOT, ".cache/demo-model"), "--stores", values.stores!, "--max-length", values["max-length"]!, "--batch-size", values["batch-size"]!,
  "--threads", values.threads!, ...(values["colbert-dimensions"] ? ["--colbert-dimensions", values["colbert-dimensions"]] : []),
  ...(values["colbert-format"] ? ["--colbert-format", values["colbert-format"]] : []),
];

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
const passOn = Object.entries(values).filter(([k, v]) => k !== "docs" && k !== "child" && v !== undefined).flatMap(([k, v]) => [`--${k}`, String(v)]);
const tmp = await mkdtemp(path.join(os.tmpdir(), "m3-bench-index-"));
const rows: string[] = [];
try {
  for (const docs of values.docs!.split(",").map(Number)) {
    const corpus = path.join(tmp, `corpus-${docs}.jsonl`);
    await writeCorpus(corpus, docs);
    const out = path.join(tmp, `out-${docs}`);
    const r = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, ...passOn, "--child", `${corpus}|${out}`], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`child for ${docs} documents failed:\n${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
    const exportMiB = (await folderBytes(out)) / 2 ** 20;
    const row = `| ${docs.toLocaleString("en")} | ${(statSync(corpus).size / 2 ** 20).toFixed(1)} MiB | ${m.docsPerSecond!.toFixed(1)} | ${m.seconds!.toFixed(1)} s (encode ${m.encodeSeconds!.toFixed(1)} s) | ${m.rssAt10!.toFixed(0)} / ${m.rssAt50!.toFixed(0)} / ${m.rssAtEnd!.toFixed(0)} MiB | ${m.peakRssMiB!.toFixed(0)} MiB | ${exportMiB.toFixed(0)} MiB |`;
    rows.push(row);
    console.error(row);
    rmSync(out, { recursive: true, force: true });
    rmSync(corpus, { force: true });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`| documents | corpus file | documents/s | time | RSS at 10 % / 50 % / end | peak RSS | export files |\n|---|---|---|---|---|---|---|\n${rows.join("\n")}`);
