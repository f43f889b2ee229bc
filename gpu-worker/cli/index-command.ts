import path from "node:path";
import { parseArgs } from "node:util";
import { loadEncoder } from "../inference/load";
import { fileCorpus } from "../indexing/file-corpus";
import { indexCorpus, type IndexManifest } from "../indexing/index-corpus";
import { modelHybridWeights, modelVocabSize } from "../indexing/model-info";
import { INDEX_NAME_PATTERN, INDEX_STORES, type IndexStore } from "../indexing/types";
import { COLBERT_FORMATS, type ColbertFormat } from "../indexing/vector-formats";

/**
 * `m3 index --model DIR --corpus FILE --output DIR [--stores pgvector,qdrant,…] [--name NAME] [--no-sparse]
 *  [--colbert] [--colbert-dimensions N] [--colbert-format float|int8] [--max-length N] [--batch-size N]
 *  [--threads N]` — the "Index a corpus" job's engine (gpu-worker/indexing) on a local corpus file and model
 * folder, without a database. Progress goes to stderr; the manifest is printed. Stopped (Ctrl-C) and started
 * again with the same options, it continues after the last written batch.
 */
export const INDEX_USAGE =
  "usage: m3 index --model DIR --corpus FILE --output DIR [--stores milvus,qdrant,elasticsearch,pgvector] [--name NAME] [--no-sparse] [--colbert] [--colbert-dimensions N] [--colbert-format float|int8] [--max-length N] [--batch-size N] [--threads N]";

function positiveInt(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${flag}: expected a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

function parseStores(spec: string | undefined): IndexStore[] {
  if (spec === undefined) return [...INDEX_STORES];
  const stores = spec.split(",").map((s) => s.trim()).filter(Boolean);
  for (const s of stores) if (!(INDEX_STORES as readonly string[]).includes(s)) throw new Error(`--stores: unknown store "${s}" (choose from ${INDEX_STORES.join(", ")})`);
  if (stores.length === 0) throw new Error(`--stores: choose at least one of ${INDEX_STORES.join(", ")}`);
  return [...new Set(stores)] as IndexStore[];
}

/** A collection name from the corpus file name: "MedQuAD corpus.jsonl" → "medquad_corpus". */
function nameFrom(file: string): string {
  const n = path.basename(file).replace(/\.[^.]+$/, "").toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^[^a-z]+/, "").slice(0, 63);
  return n || "corpus";
}

export async function indexCommand(argv: string[], opts: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<IndexManifest> {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: {
      model: { type: "string" }, corpus: { type: "string" }, output: { type: "string" }, stores: { type: "string" }, name: { type: "string" },
      "no-sparse": { type: "boolean" }, colbert: { type: "boolean" }, "colbert-dimensions": { type: "string" }, "colbert-format": { type: "string" },
      "max-length": { type: "string" }, "batch-size": { type: "string" }, threads: { type: "string" },
    },
  });
  if (!values.model || !values.corpus || !values.output) throw new Error(INDEX_USAGE);
  const stores = parseStores(values.stores);
  const name = values.name ?? nameFrom(values.corpus);
  if (!INDEX_NAME_PATTERN.test(name)) throw new Error(`--name: "${name}": use lower-case letters, digits and _, starting with a letter (at most 63)`);
  const format = values["colbert-format"] ?? "float";
  if (!(COLBERT_FORMATS as readonly string[]).includes(format)) throw new Error(`--colbert-format: expected ${COLBERT_FORMATS.join(" or ")}, got "${format}"`);
  const wantColbert = values.colbert || values["colbert-dimensions"] !== undefined || values["colbert-format"] !== undefined;
  const batchSize = positiveInt("batch-size", values["batch-size"], 64, 1024);
  const threads = values.threads === undefined ? undefined : positiveInt("threads", values.threads, 1, 256);
  const modelDir = path.resolve(values.model);
  const vocabSize = modelVocabSize(modelDir);
  const weights = modelHybridWeights(modelDir);
  // Validates every row (file:line errors) before the model is loaded.
  const source = await fileCorpus(path.resolve(values.corpus));
  const { encoder, maxLength: modelMax } = await loadEncoder(modelDir, threads ? { threads } : {});
  try {
    const maxLength = Math.min(positiveInt("max-length", values["max-length"], 512, 8192), modelMax);
    const dims = positiveInt("colbert-dimensions", values["colbert-dimensions"], encoder.dim, encoder.dim);
    const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
    return await indexCorpus({
      encoder, source, outDir: path.resolve(values.output), stores, name, model: path.basename(modelDir), vocabSize, maxLength,
      sparse: !values["no-sparse"], colbert: wantColbert ? { dimensions: dims, format: format as ColbertFormat } : null, weights, batchSize,
      signal: opts.signal, progress: (f, m) => log(`${Math.round(f * 100)}% ${m}`),
    });
  } finally {
    await encoder.backend.close();
  }
}
