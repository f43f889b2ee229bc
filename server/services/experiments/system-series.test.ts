import { describe, expect, it } from "vitest";
import { db } from "../../db";
import { gpuIndices, gpuSeries, isSystemSeries, SYSTEM } from "./system-series";
import { dropPointsAfter, writePoints } from "./train-writes";

describe("resource series beside the trainer's", () => {
  it("are told apart by name; GPU indices come from the series present", () => {
    expect(isSystemSeries(SYSTEM.cpuPercent)).toBe(true);
    expect(isSystemSeries("loss")).toBe(false);
    expect(gpuIndices(["loss", SYSTEM.rssMb, gpuSeries(1).utilPercent, gpuSeries(0).utilPercent, gpuSeries(0).memUsedMb])).toEqual([0, 1]);
    expect(gpuIndices([SYSTEM.cpuPercent])).toEqual([]);
  });

  it("survive a resume's drop of trainer points past the checkpoint step (their step is seconds)", async () => {
    const experimentId = `sys${Date.now()}`;
    await writePoints(experimentId, [
      ...Array.from({ length: 10 }, (_, i) => ({ name: "loss", step: i + 1, value: 1 / (i + 1) })),
      ...Array.from({ length: 30 }, (_, i) => ({ name: SYSTEM.cpuPercent, step: i * 5, value: 50 + i })),
    ]);
    await dropPointsAfter(experimentId, 4);
    const rows = await db.metricPoint.findMany({ where: { experimentId }, orderBy: [{ name: "asc" }, { step: "asc" }] });
    expect(rows.filter((r) => r.name === "loss").map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(rows.filter((r) => r.name === SYSTEM.cpuPercent)).toHaveLength(30);
  });
});
