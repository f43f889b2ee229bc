import * as ort from "onnxruntime-node";
import { padBatch, probeHealth, type BackendHealth, type BatchOutputs, type EncoderBackend, type OutputKind } from "./backend";
import { BackendError, ModelFolderError } from "./errors";

/** onnxruntime-node backend (CPU provider here; CUDA where its provider library is installed: ort-providers.ts). */
export interface OrtBackendOptions {
  /** Intra-op threads; 0 = onnxruntime's default (all cores). */
  threads?: number;
  maxBatch?: number;
  executionProviders?: string[];
}

export class OrtBackend implements EncoderBackend {
  readonly name = "onnxruntime";
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly dim: number,
    readonly maxBatch: number,
    private readonly onnxPath: string,
  ) {}

  static async load(onnxPath: string, dim: number | null, opts: OrtBackendOptions = {}): Promise<OrtBackend> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(onnxPath, {
        intraOpNumThreads: opts.threads ?? 0,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        executionProviders: opts.executionProviders ?? ["cpu"],
      });
    } catch (e) {
      throw new ModelFolderError(`cannot load ONNX model ${onnxPath}: ${(e as Error).message}`, onnxPath);
    }
    for (const name of ["input_ids", "attention_mask"])
      if (!session.inputNames.includes(name)) throw new ModelFolderError(`${onnxPath}: graph has no input "${name}"`, onnxPath);
    for (const name of ["dense", "sparse", "colbert"])
      if (!session.outputNames.includes(name)) throw new ModelFolderError(`${onnxPath}: graph has no output "${name}"`, onnxPath);
    const backend = new OrtBackend(session, dim ?? 0, opts.maxBatch ?? 256, onnxPath);
    if (!dim) {
      const probe = await backend.run([[0, 2]], 1, ["dense"]);
      (backend as { dim: number }).dim = probe.dim;
    }
    return backend;
  }

  health(): Promise<BackendHealth> {
    return probeHealth(this);
  }

  async run(ids: readonly number[][], padId: number, outputs: readonly OutputKind[]): Promise<BatchOutputs> {
    if (ids.length === 0) return { batch: 0, seq: 0, dim: this.dim };
    const { inputIds, mask, seq } = padBatch(ids, padId);
    const feeds = {
      input_ids: new ort.Tensor("int64", inputIds, [ids.length, seq]),
      attention_mask: new ort.Tensor("int64", mask, [ids.length, seq]),
    };
    let r: ort.InferenceSession.OnnxValueMapType;
    try {
      r = await this.session.run(feeds, [...outputs]);
    } catch (e) {
      throw new BackendError(`onnxruntime failed on ${this.onnxPath} (batch ${ids.length}×${seq}): ${(e as Error).message}`);
    }
    const dense = r.dense?.data as Float32Array | undefined;
    const dim = dense ? dense.length / ids.length : this.dim;
    return {
      batch: ids.length,
      seq,
      dim,
      dense,
      sparse: r.sparse?.data as Float32Array | undefined,
      colbert: r.colbert?.data as Float32Array | undefined,
    };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
