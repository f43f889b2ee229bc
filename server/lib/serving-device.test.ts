import { describe, expect, it } from "vitest";
import { chooseServingDevice, precisionOfGraph, type ServingCapabilities } from "./serving-device";

const cpuOnly: ServingCapabilities = { gpus: 0, ortProviders: ["cpu", "webgpu"], torchCuda: false };
const ortCuda: ServingCapabilities = { gpus: 1, ortProviders: ["cpu", "cuda"], torchCuda: true, torchBf16: true };
const torchOnly: ServingCapabilities = { gpus: 2, ortProviders: ["cpu"], torchCuda: true, torchBf16: true };

describe("chooseServingDevice", () => {
  it("a host without a GPU serves every precision on onnxruntime's CPU provider, as before", () => {
    for (const p of ["fp32", "int8", "fp16"] as const) {
      expect(chooseServingDevice(p, cpuOnly)).toMatchObject({ backend: "onnxruntime", device: "cpu", provider: "cpu", precision: p, executionProviders: ["cpu"], reason: "no GPU: CPU" });
    }
  });

  it("a CUDA provider in onnxruntime and a GPU: onnxruntime on CUDA with the CPU provider behind it", () => {
    expect(chooseServingDevice("fp16", ortCuda)).toMatchObject({ backend: "onnxruntime", device: "cuda", provider: "cuda", executionProviders: ["cuda", "cpu"] });
    expect(chooseServingDevice("int8", ortCuda).device).toBe("cuda");
  });

  it("a CUDA provider listed without a GPU is not used", () => {
    expect(chooseServingDevice("fp32", { ...ortCuda, gpus: 0, torchCuda: false }).device).toBe("cpu");
  });

  it("a GPU only PyTorch can use: the torch backend on CUDA, fp16 (or bf16 when asked and supported) weights", () => {
    expect(chooseServingDevice("fp16", torchOnly)).toMatchObject({ backend: "torch", device: "cuda", provider: "torch", dtype: "fp16" });
    expect(chooseServingDevice("fp32", torchOnly)).toMatchObject({ backend: "torch", dtype: "fp32" });
    expect(chooseServingDevice("fp16", torchOnly, { preferBf16: true }).dtype).toBe("bf16");
    expect(chooseServingDevice("fp16", { ...torchOnly, torchBf16: false }, { preferBf16: true }).dtype).toBe("fp16");
  });

  it("int8 without onnxruntime's CUDA provider stays on the CPU (PyTorch has no int8 graph)", () => {
    expect(chooseServingDevice("int8", torchOnly)).toMatchObject({ backend: "onnxruntime", device: "cpu", reason: expect.stringMatching(/^int8/) });
  });

  it("a GPU with neither CUDA onnxruntime nor CUDA torch: CPU, saying why", () => {
    expect(chooseServingDevice("fp32", { gpus: 1, ortProviders: ["cpu"], torchCuda: false }).reason).toMatch(/neither/);
  });

  it("reads the precision from the graph's file name", () => {
    expect([undefined, "onnx/model.onnx", "onnx/model.int8.onnx", "onnx/model.fp16.onnx"].map(precisionOfGraph)).toEqual(["fp32", "fp32", "int8", "fp16"]);
  });
});
