/**
 * Where a deployment's model runs: one pure function from what the host has to (backend, device, provider,
 * precision). The worker uses it to start serving (gpu-worker/serve), and the web shows the same answer from the
 * worker's recorded capabilities (gpu-worker/capabilities.ts), so both always agree. Browser-safe.
 *
 * Order (issue 12 item 5):
 *  1. a GPU and an onnxruntime with its CUDA execution provider installed → onnxruntime, CUDA provider (CPU
 *     provider behind it for the few nodes CUDA lacks), the precision's own graph;
 *  2. a GPU that only PyTorch can use → the PyTorch backend on CUDA, fp32 or fp16 weights (bf16 where asked
 *     for and supported); an int8 graph has no PyTorch counterpart, so int8 stays on onnxruntime's CPU provider;
 *  3. otherwise onnxruntime's CPU provider, as before.
 */
export type ServingPrecision = "fp32" | "int8" | "fp16";

export interface ServingCapabilities {
  /** GPUs the host reports (nvidia-smi). */
  gpus: number;
  /** Execution providers the installed onnxruntime-node can create sessions with ("cpu", "cuda", …). */
  ortProviders: readonly string[];
  /** torch.cuda.is_available() in the worker's Python. */
  torchCuda: boolean;
  /** torch.cuda.is_bf16_supported(). */
  torchBf16?: boolean;
}

export interface ServingDevice {
  backend: "onnxruntime" | "torch";
  device: "cpu" | "cuda";
  /** The onnxruntime execution provider ("cpu", "cuda") or "torch" for the PyTorch backend. */
  provider: "cpu" | "cuda" | "torch";
  precision: ServingPrecision;
  /** onnxruntime: the execution providers in order of preference. */
  executionProviders?: string[];
  /** PyTorch: the weights' dtype on the device. */
  dtype?: "fp32" | "fp16" | "bf16";
  /** One line saying why this was chosen (logged by the serving job). */
  reason: string;
}

export const CPU_SERVING: Omit<ServingDevice, "precision" | "reason"> = { backend: "onnxruntime", device: "cpu", provider: "cpu", executionProviders: ["cpu"] };

export function chooseServingDevice(precision: ServingPrecision, caps: ServingCapabilities, opts: { preferBf16?: boolean } = {}): ServingDevice {
  if (caps.gpus > 0 && caps.ortProviders.includes("cuda")) {
    return { backend: "onnxruntime", device: "cuda", provider: "cuda", precision, executionProviders: ["cuda", "cpu"], reason: "GPU with onnxruntime's CUDA execution provider" };
  }
  if (caps.gpus > 0 && caps.torchCuda && precision !== "int8") {
    const dtype = precision === "fp32" ? "fp32" : opts.preferBf16 && caps.torchBf16 ? "bf16" : "fp16";
    return { backend: "torch", device: "cuda", provider: "torch", precision, dtype, reason: "GPU without onnxruntime's CUDA provider: the PyTorch backend on CUDA" };
  }
  const reason = caps.gpus > 0 && caps.torchCuda
    ? "int8 graphs run on onnxruntime, whose CUDA provider is not installed: CPU"
    : caps.gpus > 0 ? "GPU present but neither onnxruntime's CUDA provider nor PyTorch with CUDA: CPU" : "no GPU: CPU";
  return { ...CPU_SERVING, precision, reason };
}

/** ServingCapabilities from a worker's recorded capabilities (Worker.capabilities, gpu-worker/capabilities.ts). */
export function servingCapabilitiesOf(recorded: unknown): ServingCapabilities {
  const c = (recorded ?? {}) as { gpus?: unknown[]; ortProviders?: unknown; torch?: { cuda?: unknown; bf16?: unknown } };
  return {
    gpus: Array.isArray(c.gpus) ? c.gpus.length : 0,
    ortProviders: Array.isArray(c.ortProviders) ? c.ortProviders.filter((p): p is string => typeof p === "string") : ["cpu"],
    torchCuda: c.torch?.cuda === true,
    torchBf16: c.torch?.bf16 === true,
  };
}

/** The precision an ONNX graph file serves (server/services/deployments/precision.ts PRECISION_ONNX_FILE names). */
export function precisionOfGraph(onnxFile: string | undefined): ServingPrecision {
  if (onnxFile?.endsWith(".int8.onnx")) return "int8";
  if (onnxFile?.endsWith(".fp16.onnx")) return "fp16";
  return "fp32";
}
