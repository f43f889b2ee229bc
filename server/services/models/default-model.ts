import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The base model used where no model is chosen yet (round-trip scoring, token lengths):
 * M3_BASE_MODEL (a real BGE-M3 folder), else the demo model built by
 * scripts/build-demo-model.sh. Null when neither has an ONNX export.
 */
export function defaultBaseModelDir(): string | null {
  const candidates = [process.env.M3_BASE_MODEL, path.resolve(".cache/demo-model")].filter((p): p is string => !!p);
  return candidates.find((dir) => existsSync(path.join(dir, "onnx", "model.onnx")) && existsSync(path.join(dir, "tokenizer.json"))) ?? null;
}

export function defaultTokenizerPath(): string | null {
  const dir = defaultBaseModelDir();
  return dir ? path.join(dir, "tokenizer.json") : null;
}
