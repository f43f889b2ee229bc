import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Where the default base model may be: M3_BASE_MODEL (a real BGE-M3 folder), else the demo model
 * built by scripts/build-demo-model.sh. Operator-chosen, so always an allowed model root (model-roots.ts).
 */
export function defaultModelCandidates(): string[] {
  return [process.env.M3_BASE_MODEL, path.resolve(".cache/demo-model")].filter((p): p is string => !!p);
}

/**
 * The base model used where no model is chosen yet (round-trip scoring, token lengths): the first
 * candidate with an ONNX export and a tokenizer. Null when neither has one.
 */
export function defaultBaseModelDir(): string | null {
  return defaultModelCandidates().find((dir) => existsSync(path.join(dir, "onnx", "model.onnx")) && existsSync(path.join(dir, "tokenizer.json"))) ?? null;
}

export function defaultTokenizerPath(): string | null {
  const dir = defaultBaseModelDir();
  return dir ? path.join(dir, "tokenizer.json") : null;
}
