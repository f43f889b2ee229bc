import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ModelFolderError } from "./errors";

/**
 * What the inference engine needs from a model folder (docs/CONTRACTS.md): tokenizer.json (+ optional
 * tokenizer_config.json), onnx/model.onnx for the ORT backend, and m3studio.json / config.json for dims and
 * max length. Missing files raise ModelFolderError naming the path.
 */
export interface ModelFolder {
  dir: string;
  tokenizerJson: string;
  tokenizerConfig: string | null;
  onnxPath: string;
  /** Hidden size from m3studio.json `dim` or config.json `hidden_size`; null when unknown. */
  dim: number | null;
  /** Longest input (special tokens included). */
  maxLength: number;
}

function readJson(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new ModelFolderError(`${file}: invalid JSON (${(e as Error).message})`, file);
  }
}

export function openModelFolder(dir: string, opts: { needOnnx?: boolean; onnxFile?: string } = {}): ModelFolder {
  if (!existsSync(dir)) throw new ModelFolderError(`model folder ${dir} does not exist`, dir);
  const tokenizerJson = path.join(dir, "tokenizer.json");
  if (!existsSync(tokenizerJson)) throw new ModelFolderError(`model folder ${dir} has no tokenizer: ${tokenizerJson} is missing`, tokenizerJson);
  const onnxPath = path.join(dir, opts.onnxFile ?? "onnx/model.onnx");
  if ((opts.needOnnx ?? true) && !existsSync(onnxPath))
    throw new ModelFolderError(
      `model folder ${dir} has no ONNX export: ${onnxPath} is missing (${
        onnxPath.endsWith(".int8.onnx")
          ? `run \`python3 gpu-worker/inference/quantize/quantize_int8.py ${dir}\``
          : `run \`python3 -m trainer export --model ${dir}\``
      })`,
      onnxPath,
    );
  const meta = readJson(path.join(dir, "m3studio.json"));
  const config = readJson(path.join(dir, "config.json"));
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const dim = num(meta?.dim) ?? num(config?.hidden_size);
  const maxPos = num(config?.max_position_embeddings);
  const maxLength = num(meta?.max_length) ?? (maxPos !== null ? maxPos - 2 : 8192);
  const cfgPath = path.join(dir, "tokenizer_config.json");
  return { dir, tokenizerJson, tokenizerConfig: existsSync(cfgPath) ? cfgPath : null, onnxPath, dim, maxLength };
}
