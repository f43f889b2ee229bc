import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseServingDevice } from "../../server/lib/serving-device";
import { ensureServedGraph } from "./precision-graph";
import { tempRoot, tinyCheckpoint } from "./testing/tiny-checkpoint";

/** The graphs a deployment prepares depend on where it serves: PyTorch on a GPU needs no fp16 graph. */
const tmp = tempRoot("m3-served-graph-");
afterAll(() => tmp.remove());
const log = async () => {};
const signal = new AbortController().signal;

describe("ensureServedGraph", () => {
  it("the PyTorch backend (GPU without onnxruntime CUDA) gets only the parity-checked fp32 graph; onnxruntime gets the precision's", async () => {
    const dir = tinyCheckpoint(tmp.dir, "ckpt");
    const torch = chooseServingDevice("fp16", { gpus: 1, ortProviders: ["cpu"], torchCuda: true });
    expect(torch.backend).toBe("torch");
    expect(await ensureServedGraph(dir, "fp16", torch, log, signal)).toBe("onnx/model.onnx");
    expect(readdirSync(path.join(dir, "onnx"))).toEqual(["model.onnx"]);
    const cpu = chooseServingDevice("int8", { gpus: 0, ortProviders: ["cpu"], torchCuda: false });
    expect(await ensureServedGraph(dir, "int8", cpu, log, signal)).toBe("onnx/model.int8.onnx");
    expect(existsSync(path.join(dir, "onnx/model.int8.onnx"))).toBe(true);
  }, 120_000);
});
