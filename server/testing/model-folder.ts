import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * A minimal model folder that passes the registry's checks (XLM-R config, tokenizer, heads, a valid safetensors
 * header) without real weights; `withOnnx` adds the `onnx/model.onnx` that makes a default base model "ready".
 */
export function makeModelFolder(dir: string, { withOnnx = false } = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ architectures: ["XLMRobertaModel"], model_type: "xlm-roberta", hidden_size: 8, num_hidden_layers: 1, vocab_size: 16, max_position_embeddings: 34 }));
  writeFileSync(path.join(dir, "tokenizer.json"), "{}");
  writeFileSync(path.join(dir, "colbert_linear.pt"), "x");
  writeFileSync(path.join(dir, "sparse_linear.pt"), "x");
  const header = Buffer.from(JSON.stringify({ w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(path.join(dir, "model.safetensors"), Buffer.concat([length, header, Buffer.alloc(16)]));
  if (withOnnx) {
    mkdirSync(path.join(dir, "onnx"), { recursive: true });
    writeFileSync(path.join(dir, "onnx", "model.onnx"), "x");
  }
  return dir;
}
