import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../server/db";
import { importPairs, useTempArtifacts } from "../../server/testing/datasets";
import { createUser, createWorkspaceWith } from "../../server/testing/factories";
import { runMineVersion } from "./mine-version";
import { MEDQUAD_JSONL } from "../../server/testing/shared-data";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");

describe("mining hard negatives for a dataset version", () => {
  beforeAll(async () => {
    await useTempArtifacts();
    process.env.M3_BASE_MODEL = DEMO;
  });

  it.runIf(existsSync(path.join(DEMO, "onnx/model.onnx")))("writes a new version whose negatives are never the query's positives", async () => {
    const userId = (await createUser()).id;
    const workspaceId = (await createWorkspaceWith([{ userId, role: "OWNER" }])).id;
    const medquad = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").slice(0, 80)
      .map((l) => JSON.parse(l) as { question: string; answer: string });
    const imported = await importPairs(workspaceId, userId, "medquad-mini", medquad.map((r) => ({ query: r.question, pos: [r.answer] })));
    const result = (await runMineVersion({
      jobId: "test", workerId: "test", workDir: mkdtempSync(path.join(os.tmpdir(), "m3-mine-")),
      payload: { workspaceId, userId, versionId: imported.versionId, rangeStart: 2, rangeEnd: 60, negatives: 5 },
      signal: new AbortController().signal, progress: async () => undefined, log: async () => undefined,
    })) as { versionId: string; rows: number };
    expect(result.rows).toBe(80);
    const rows = await db.datasetRecord.findMany({ where: { versionId: result.versionId }, select: { data: true } });
    for (const row of rows) {
      const pair = row.data as { query: string; pos: string[]; neg: string[] };
      expect(pair.neg.length).toBeGreaterThan(0);
      expect(pair.neg.some((n) => pair.pos.includes(n))).toBe(false);
    }
    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: result.versionId } });
    expect(version.number).toBe(2);
    expect((version.source as { kind: string }).kind).toBe("mined");
  }, 120_000);
});
