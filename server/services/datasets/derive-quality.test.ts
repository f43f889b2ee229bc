import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { importPairs, ownerWorkspaceWithArtifacts } from "../../testing/datasets";
import { filterVersion, mergeVersions, splitVersion } from "./derive";
import { computeQualityReport } from "./quality";

let workspaceId: string;
let userId: string;

beforeAll(async () => {
  ({ workspaceId, userId } = await ownerWorkspaceWithArtifacts());
});

// 60 answers, each asked 3 ways: a split must keep each answer's questions together.
const pairs = Array.from({ length: 60 }, (_, a) =>
  [0, 1, 2].map((v) => ({ query: `question ${v} about topic ${a} ${"detail ".repeat(v)}`, pos: [`answer number ${a}: ${"explanation ".repeat(5 + (a % 7))}`], neg: [`unrelated text ${a + 1}`] })),
).flat();

describe("splits and derived versions", () => {
  it("splits by group: no positive passage lands on two sides; deterministic", async () => {
    const imported = await importPairs(workspaceId, userId, "split-me", pairs);
    const a = await splitVersion({ workspaceId, versionId: imported.versionId, ratios: { train: 70, validation: 10, test: 20 }, seed: "s1", userId });
    const b = await splitVersion({ workspaceId, versionId: imported.versionId, ratios: { train: 70, validation: 10, test: 20 }, seed: "s1", userId });
    const rows = await db.datasetRecord.findMany({ where: { versionId: a.id }, select: { split: true, data: true, ordinal: true } });
    const sides = new Map<string, Set<string>>();
    for (const r of rows) {
      const pos = (r.data as { pos: string[] }).pos[0]!;
      sides.set(pos, (sides.get(pos) ?? new Set()).add(r.split!));
    }
    expect([...sides.values()].every((s) => s.size === 1)).toBe(true);
    const counts = Object.fromEntries(["train", "validation", "test"].map((s) => [s, rows.filter((r) => r.split === s).length]));
    expect(counts.train).toBeGreaterThan(counts.test!);
    expect(counts.test).toBeGreaterThan(0);
    const again = await db.datasetRecord.findMany({ where: { versionId: b.id }, select: { split: true, ordinal: true }, orderBy: { ordinal: "asc" } });
    expect(again.map((r) => r.split)).toEqual([...rows].sort((x, y) => x.ordinal - y.ordinal).map((r) => r.split));
    expect(a.number).toBe(2);
    expect(b.number).toBe(3);

    const testOnly = await filterVersion({ workspaceId, versionId: a.id, split: "test", userId });
    expect(testOnly.rowCount).toBe(counts.test);
  });

  it("merges pair versions in order, dropping exact duplicates when asked", async () => {
    const a = await importPairs(workspaceId, userId, "merge-a", [{ query: "q1", pos: ["p1"] }, { query: "q2", pos: ["p2"] }]);
    const b = await importPairs(workspaceId, userId, "merge-b", [{ query: "q2", pos: ["p2"] }, { query: "q3", pos: ["p3"] }]);
    const all = await mergeVersions({ workspaceId, versionIds: [a.versionId, b.versionId], datasetName: "merged", dedupe: false, userId });
    expect(all.rowCount).toBe(4);
    const unique = await mergeVersions({ workspaceId, versionIds: [a.versionId, b.versionId], datasetName: "merged", dedupe: true, userId });
    expect(unique.number).toBe(2);
    const rows = await db.datasetRecord.findMany({ where: { versionId: unique.id }, orderBy: { ordinal: "asc" }, select: { data: true, ordinal: true } });
    expect(rows.map((r) => (r.data as { query: string }).query)).toEqual(["q1", "q2", "q3"]);
    expect(rows.map((r) => r.ordinal)).toEqual([0, 1, 2]);
  });

  it("quality report: score, histograms, and leakage between the version's own splits", async () => {
    const imported = await importPairs(workspaceId, userId, "quality-me", [...pairs, pairs[0]!, pairs[1]!]);
    const split = await splitVersion({ workspaceId, versionId: imported.versionId, ratios: { train: 80, validation: 0, test: 20 }, seed: "q", userId });
    const chars = (text: string) => text.length;
    const result = await computeQualityReport({ workspaceId, versionId: split.id }, () => chars);
    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: split.id } });
    const report = version.quality as { score: number; metrics: { key: string; value: number }[]; histograms: unknown[]; warnings: { code: string }[] };
    expect(report.score).toBe(result.score);
    expect(report.score).toBeGreaterThanOrEqual(0);
    expect(report.score).toBeLessThanOrEqual(100);
    const metric = (key: string) => report.metrics.find((m) => m.key === key)?.value;
    expect(metric("duplicateRate")).toBeGreaterThan(0);
    // Questions of one answer share words; the test split's queries are near-duplicates of none in train
    // only if grouping worked — exact leaks must be zero because groups never straddle the split.
    expect(metric("leakedPassagesExact")).toBe(0);
    expect(report.histograms.length).toBeGreaterThan(0);
  });

  it("quality report lists the near-duplicate queries it counts and words each warning from its numbers (#20)", async () => {
    const base = "how can i lower my blood pressure at home without any medicine";
    const rows = [
      { query: base, pos: ["Reduce salt, exercise and sleep well."] },
      { query: `${base} please`, pos: ["Salt, exercise and sleep lower blood pressure."] },
      { query: "what causes a migraine headache in adults", pos: ["Triggers include stress and lack of sleep."] },
    ];
    const imported = await importPairs(workspaceId, userId, "near-dupes", rows);
    await computeQualityReport({ workspaceId, versionId: imported.versionId }, () => (text: string) => text.length);
    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: imported.versionId } });
    const report = version.quality as { nearDuplicates: { a: string; b: string; similarity: number }[]; warnings: { code: string; value: number; threshold: number }[] };
    expect(report.nearDuplicates).toHaveLength(1);
    expect(new Set([report.nearDuplicates[0]!.a, report.nearDuplicates[0]!.b])).toEqual(new Set([base, `${base} please`]));
    expect(report.nearDuplicates[0]!.similarity).toBeGreaterThanOrEqual(0.8);
    const noNegatives = report.warnings.find((w) => w.code === "no-negatives");
    expect(noNegatives).toMatchObject({ value: 1, threshold: 0.5 });
  });
});
