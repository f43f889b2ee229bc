/**
 * bench/full-size download phase (run by phase.ts): the checkpoint download a user gets from the web route
 * (GET /api/models/<id>/download streams server/http/checkpoint-tar.ts `tarStream` over the checkpoint's folder),
 * written to a file, then read back as a user would: GNU tar lists and extracts it, every file of the checkpoint
 * must be in it byte for byte (sha256), the Hugging Face layout's files must be there, and the extracted folder
 * must load (bench/full-size/download_check.py: the trainer's loader, and transformers' XLMRobertaModel when
 * python3 has it) and give the checkpoint's dense / sparse / ColBERT outputs within 1e-4.
 *
 * The route itself needs a signed-in session and a checkpoint row (its model card comes from the database); the
 * bench calls the same tar writer with a stand-in card, which is the only difference.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { tarStream } from "~/server/http/checkpoint-tar";
import { openModelFolder } from "~/gpu-worker/inference/model-folder";
import { M3Tokenizer } from "~/gpu-worker/inference/tokenizer";
import { sha256File } from "~/gpu-worker/serve/bundle";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PY = "/usr/bin/python3";
/** What a Hugging Face-layout BGE-M3 download must carry (the ONNX pair only when the checkpoint was exported). */
const REQUIRED = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "sentencepiece.bpe.model", "colbert_linear.pt", "sparse_linear.pt",
  "modules.json", "1_Pooling/config.json", "config_sentence_transformers.json", "README.md"];
const TOLERANCE = 1e-4;

function filesUnder(dir: string, rel = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name.startsWith(".tmp") ? [] : e.isDirectory() ? filesUnder(path.join(dir, e.name), `${rel}${e.name}/`) : e.isFile() ? [`${rel}${e.name}`] : []);
}

export async function download(checkpoint: string, out: string, rootName: string) {
  const log = (m: string) => void process.stderr.write(`[download] ${m}\n`);
  if (!existsSync(path.join(checkpoint, "config.json"))) throw new Error(`download: ${checkpoint} is not a model folder (no config.json)`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const tar = path.join(out, `${rootName}.tar`);
  const card = `# ${rootName}\n\nbench/full-size: the LoRA checkpoint of the BGE-M3-shaped stand-in (random weights).\n`;

  let t0 = Date.now();
  await pipeline(Readable.from(tarStream(checkpoint, rootName, card)), createWriteStream(`${tar}.tmp`));
  renameSync(`${tar}.tmp`, tar);
  const writeMs = Date.now() - t0;
  const tarBytes = statSync(tar).size;
  log(`wrote ${tar}: ${tarBytes} bytes in ${writeMs} ms`);

  // read back with GNU tar, as a user would (it checks every header's checksum)
  t0 = Date.now();
  const listed = execFileSync("tar", ["-tvf", tar], { encoding: "utf8", maxBuffer: 64 << 20 }).trim().split("\n");
  const extractDir = path.join(out, "extracted");
  mkdirSync(extractDir);
  execFileSync("tar", ["-xf", tar, "-C", extractDir]);
  const extractMs = Date.now() - t0;
  const folder = path.join(extractDir, rootName);
  const inTar = filesUnder(folder).sort();
  const source = filesUnder(checkpoint).sort();
  const missing = [...REQUIRED, ...(existsSync(path.join(checkpoint, "sentence_bert_config.json")) ? ["sentence_bert_config.json"] : [])].filter((f) => !inTar.includes(f));
  if (!inTar.includes("model.safetensors") && !inTar.includes("pytorch_model.bin")) missing.push("model.safetensors");
  const onnx = existsSync(path.join(checkpoint, "onnx", "model.onnx"));
  if (onnx) for (const f of ["onnx/model.onnx", ...(existsSync(path.join(checkpoint, "onnx", "model.onnx.data")) ? ["onnx/model.onnx.data"] : [])]) if (!inTar.includes(f)) missing.push(f);
  const notCarried = source.filter((f) => !inTar.includes(f));
  if (missing.length || notCarried.length) throw new Error(`download: the tar of ${checkpoint} lacks ${[...new Set([...missing, ...notCarried])].join(", ")}`);

  t0 = Date.now();
  const changed = source.filter((f) => statSync(path.join(checkpoint, f)).size !== statSync(path.join(folder, f)).size || sha256File(path.join(checkpoint, f)) !== sha256File(path.join(folder, f)));
  const hashMs = Date.now() - t0;
  if (changed.length) throw new Error(`download: extracted files differ from the checkpoint's: ${changed.join(", ")}`);
  log(`extracted ${inTar.length} files in ${extractMs} ms; sha256 of all equal (${hashMs} ms)`);

  // load the extracted folder: the product's tokenizer from it, then the Python loaders
  const f = openModelFolder(folder, { needOnnx: false });
  const tok = M3Tokenizer.fromFiles(f.tokenizerJson, f.tokenizerConfig);
  const texts = readFileSync(path.join(ROOT, "gpu-worker/inference/fixtures/parity-texts.jsonl"), "utf8").trim().split("\n")
    .map((l) => (JSON.parse(l) as { text: string }).text).filter((t) => t.trim()).slice(0, 8);
  const ids = texts.map((t) => tok.encode(t, 256).ids);
  const py = spawnSync(PY, [path.join(ROOT, "bench/full-size/download_check.py"), checkpoint, folder], { input: JSON.stringify(ids), encoding: "utf8", maxBuffer: 64 << 20 });
  if (py.status !== 0) throw new Error(`download_check.py exited ${py.status}: ${py.stderr.trim().split("\n").slice(-5).join(" | ")}`);
  const check = JSON.parse(py.stdout.trim().split("\n").pop()!) as { trainerLoader: { maxAbsDiff: Record<string, number> }; transformers: { maxAbsDiff?: Record<string, number> } };
  for (const [who, d] of [["trainer loader", check.trainerLoader.maxAbsDiff], ["transformers", check.transformers.maxAbsDiff]] as const)
    for (const [k, v] of Object.entries(d ?? {})) if (!(v <= TOLERANCE)) throw new Error(`download: ${who} on the extracted folder differs from the checkpoint on ${k}: max abs ${v} > ${TOLERANCE}`);
  const rmStart = Date.now();
  rmSync(extractDir, { recursive: true, force: true }); // 2.3–4.6 GB; the tar stays for a look
  log(`removed the extracted copy in ${Date.now() - rmStart} ms`);
  return {
    checkpoint, tarBytes, writeMs, extractMs, hashMs, onnx, files: source.map((p) => ({ f: p, bytes: statSync(path.join(checkpoint, p)).size })),
    listedEntries: listed.length, check,
  };
}
