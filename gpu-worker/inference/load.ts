import { M3Encoder, type EncoderConfig } from "./encoder";
import { openModelFolder } from "./model-folder";
import { OrtBackend } from "./ort-backend";
import { M3Tokenizer } from "./tokenizer";
import { TorchBackend } from "./torch-backend";

/** Opens a model folder with the chosen backend. Errors name the missing file (ModelFolderError). */
export interface LoadEncoderOptions extends EncoderConfig {
  backend?: "onnxruntime" | "torch";
  threads?: number;
  device?: "cpu" | "cuda";
  onnxFile?: string;
  /** "int8" loads onnx/model.int8.onnx (quantize/quantize_int8.py), "fp16" onnx/model.fp16.onnx (export --fp16);
   *  default fp32 onnx/model.onnx. */
  precision?: "fp32" | "int8" | "fp16";
  /** onnxruntime execution providers in order (default ["cpu"]). */
  executionProviders?: string[];
  /** PyTorch backend weights' dtype (default fp32). */
  dtype?: "fp32" | "fp16" | "bf16";
}

export async function loadEncoder(modelDir: string, opts: LoadEncoderOptions = {}): Promise<{ encoder: M3Encoder; maxLength: number }> {
  const backendName = opts.backend ?? "onnxruntime";
  const folder = openModelFolder(modelDir, { needOnnx: backendName === "onnxruntime",
    onnxFile: opts.onnxFile ?? (opts.precision === "int8" ? "onnx/model.int8.onnx" : opts.precision === "fp16" ? "onnx/model.fp16.onnx" : undefined),
  });
  const tokenizer = M3Tokenizer.fromFiles(folder.tokenizerJson, folder.tokenizerConfig);
  const backend =
    backendName === "onnxruntime"
      ? await OrtBackend.load(folder.onnxPath, folder.dim, { threads: opts.threads, executionProviders: opts.executionProviders })
      : await TorchBackend.start(modelDir, { device: opts.device, dtype: opts.dtype });
  return { encoder: new M3Encoder(tokenizer, backend, { ...opts, modelMaxLength: folder.maxLength }), maxLength: folder.maxLength };
}
