import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * A fresh clone has no ../shared beside it (#20): the repository's tracked files alone, copied to a temporary
 * folder, must load the demo data the demo model (Python, trainer/demo/data.py) and the demo workspace
 * (TypeScript, demo-files.ts) use. A future dependency on ../shared fails here.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const parent = mkdtempSync(path.join(os.tmpdir(), "m3-clean-clone-"));
const clone = path.join(parent, "repo");
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.M3_DEMO_DATA; // the shipped sample, not a folder of this machine

afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe("a clean clone without ../shared", () => {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(ROOT, f))) continue; // deleted in the working tree, not yet committed
    mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(clone, f));
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules")); // npm ci's result, not data

  it("has the demo data tracked, and nothing named shared beside it", () => {
    expect(existsSync(path.join(parent, "shared"))).toBe(false);
    expect(files).toContain("data/demo/medquad-en/gard-ghr.jsonl");
    expect(files).toContain("data/demo/zh-medical-dialogue/liver-digestive.gb18030.csv");
  });

  it("loads the demo model's rows and held-out split in Python", () => {
    const out = execFileSync("/usr/bin/python3", ["-c",
      "import json; from trainer.demo import data; rows = data.load_all(); s = data.splits_json(rows);"
      + " print(json.dumps({'root': data.DEMO_DATA, 'zh': sum(r.lang == 'zh' for r in rows), 'en': sum(r.lang == 'en' for r in rows), **s['counts']}))"],
    { cwd: path.join(clone, "gpu-worker"), env, encoding: "utf8" });
    const r = JSON.parse(out) as { root: string; zh: number; en: number; train: number; test: number };
    expect(r.root).toBe(path.join(clone, "data", "demo"));
    expect(r.zh).toBeGreaterThan(1000);
    expect(r.en).toBeGreaterThan(1000);
    expect(r.test).toBeGreaterThan(100);
    expect(r.train).toBeGreaterThan(r.test);
  });

  it("writes the demo workspace's import plan in TypeScript", () => {
    const script = path.join(clone, "server", "services", "demo", "testing", "clean-clone-probe.ts");
    const out = execFileSync(path.join(ROOT, "node_modules", ".bin", "tsx"), [script], { cwd: clone, env, encoding: "utf8" });
    const r = JSON.parse(out) as { dataDir: string; imports: { datasetName: string; files: number }[] };
    expect(r.dataDir).toBe(path.join(clone, "data", "demo"));
    expect(r.imports.map((i) => i.datasetName).length).toBeGreaterThanOrEqual(3);
    expect(r.imports.every((i) => i.files > 0)).toBe(true);
  }, 120_000);
});
