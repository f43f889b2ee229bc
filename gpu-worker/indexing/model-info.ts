import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_HYBRID_WEIGHTS } from "~/server/lib/retrieval/fusion";

/** What an index export needs to know of a model folder beyond the encoder: shared by the job and `m3 index`. */

/** config.json's vocab_size (pgvector's sparsevec dimension). */
export function modelVocabSize(dir: string): number {
  const v = (JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as { vocab_size?: unknown }).vocab_size;
  if (typeof v !== "number" || v <= 0) throw new Error(`${path.join(dir, "config.json")}: vocab_size: missing or not a positive number`);
  return v;
}

/** The checkpoint's own hybrid weights (m3studio.json `hybrid_weights`), else FlagEmbedding's [0.4, 0.2, 0.4]. */
export function modelHybridWeights(dir: string): [number, number, number] {
  const file = path.join(dir, "m3studio.json");
  const w = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { hybrid_weights?: unknown }).hybrid_weights : undefined;
  return Array.isArray(w) && w.length === 3 && w.every((x) => typeof x === "number" && x >= 0) ? (w as [number, number, number]) : DEFAULT_HYBRID_WEIGHTS;
}
