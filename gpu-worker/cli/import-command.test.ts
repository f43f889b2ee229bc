import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../server/db";
import { createUser, createWorkspaceWith } from "../../server/testing/factories";
import { ZH_DIALOGUE_CSV } from "../../server/testing/shared-data";

const ROOT = path.resolve(import.meta.dirname, "../..");
let slug: string;
let workspaceId: string;
let artifacts: string;

function m3(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "gpu-worker/cli/m3.ts", ...args], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, ARTIFACTS_DIR: artifacts }, timeout: 120_000,
  });
}

beforeAll(async () => {
  artifacts = await mkdtemp(path.join(os.tmpdir(), "m3-cli-"));
  const user = await createUser();
  const ws = await createWorkspaceWith([{ userId: user.id, role: "OWNER" }]);
  slug = ws.slug;
  workspaceId = ws.id;
});

describe("m3 import", () => {
  it("imports the GB18030 CSV as an evaluation set and prints a JSON summary", () => {
    const result = m3("import", ZH_DIALOGUE_CSV, "--kind", "eval", "--map", "query=title,positive=answer", "--workspace", slug, "--name", "liver-eval");
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { rows: number; counts: Record<string, number>; versionId: string };
    expect(summary.counts.doc! + summary.counts.duplicatePassagesMerged!).toBe(4535);
    expect(summary.counts.qrel).toBeGreaterThan(4000);
  });

  it("refuses bad input with file:line: field: reason and writes nothing", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "m3-cli-bad-"));
    const file = path.join(dir, "pairs.jsonl");
    await writeFile(file, [JSON.stringify({ query: "ok", pos: ["fine"] }), JSON.stringify({ query: "q", pos: [] }), "{oops"].join("\n"));
    const before = await db.upload.count({ where: { workspaceId } });
    const result = m3("import", file, "--kind", "train", "--workspace", slug);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^pairs\.jsonl:2: pos: /m);
    expect(result.stderr).toMatch(/^pairs\.jsonl:3: /m);
    expect(await db.dataset.count({ where: { workspaceId, name: "pairs" } })).toBe(0);
    expect(await db.upload.count({ where: { workspaceId } })).toBe(before);
  });
});
