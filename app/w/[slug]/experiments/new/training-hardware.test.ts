import { describe, expect, it } from "vitest";
import { trainingHardware } from "./training-hardware";

const worker = (gpus: unknown[], over: Partial<{ status: string; jobTypes: string[] }> = {}) => ({
  status: "online", jobTypes: ["train", "evaluate"], capabilities: { gpus, cpus: 16 }, ...over,
});

describe("the hardware a new run's estimate speaks of (#20 item 9)", () => {
  it("is a GPU only when an online training worker reports one", () => {
    expect(trainingHardware([worker([{ name: "NVIDIA H200", memoryMb: 143_000 }])])).toBe("gpu");
    expect(trainingHardware([worker([]), worker([{ name: "A10" }], { status: "unresponsive" })])).toBe("cpu");
    expect(trainingHardware([worker([{ name: "A10" }], { jobTypes: ["serve_deployment"] }), worker([])])).toBe("cpu");
  });
  it("is none without an online training worker", () => {
    expect(trainingHardware([])).toBe("none");
    expect(trainingHardware([worker([], { status: "stopped" })])).toBe("none");
  });
});
