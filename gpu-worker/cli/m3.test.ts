import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const M3 = path.join(import.meta.dirname, "m3.ts");
const tmp = mkdtempSync(path.join(tmpdir(), "m3-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const m3 = (...args: string[]) => spawnSync(TSX, [M3, ...args], { cwd: ROOT, encoding: "utf8" });

describe("m3 CLI", () => {
  it("metrics: trec_eval-style JSON with every key for k in 1,3,5,10,20,100", () => {
    writeFileSync(path.join(tmp, "q"), "q1 0 d1 2\nq1 0 d2 1\nq2 0 d3 0\n");
    writeFileSync(path.join(tmp, "r"), "q1 Q0 d2 1 0.9 t\nq1 Q0 d1 2 0.8 t\n");
    const out = JSON.parse(execFileSync(TSX, [M3, "metrics", "--qrels", path.join(tmp, "q"), "--run", path.join(tmp, "r")], { cwd: ROOT, encoding: "utf8" })) as Record<string, number>;
    for (const m of ["P", "recall", "mrr", "ndcg", "map", "hit"]) for (const k of [1, 3, 5, 10, 20, 100]) expect(out[`${m}@${k}`]).toBeTypeOf("number");
    // q1: d2 (grade 1) at rank 1, d1 (grade 2) at rank 2; q2 has no relevant doc → halves the mean.
    expect(out["mrr@10"]).toBe(0.5);
    expect(out["ndcg@3"]).toBeCloseTo((1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3)) / 2, 12);
    expect(out["map@10"]).toBeCloseTo(0.5, 12);
  });

  it("metrics: errors name the file and the line", () => {
    writeFileSync(path.join(tmp, "bad"), "q1 Q0 d1 1 abc t\n");
    const r = m3("metrics", "--qrels", path.join(tmp, "q"), "--run", path.join(tmp, "bad"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad:1: score "abc" of query "q1" doc "d1"/);
    expect(m3("metrics", "--qrels", path.join(tmp, "missing"), "--run", path.join(tmp, "r")).stderr).toMatch(/cannot read qrels file .*missing: ENOENT/);
  });

  it("mine: hard negatives from the command line; bad --range is refused", () => {
    const fix = path.join(ROOT, "gpu-worker/inference/fixtures");
    const texts = readFileSync(path.join(fix, "parity-texts.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { text: string }).text).filter(Boolean);
    const input = path.join(tmp, "train.jsonl");
    writeFileSync(input, texts.slice(0, 10).map((t, i) => JSON.stringify({ query: texts[50 + i], pos: [t], neg: [texts[20 + i]] })).join("\n"));
    const pool = path.join(tmp, "pool.txt");
    writeFileSync(pool, texts.map((t) => t.replace(/\n/g, " ")).join("\n"));
    const out = path.join(tmp, "mined.jsonl");
    const r = m3("mine", "--model", path.join(fix, "tiny-model"), "--input", input, "--pool", pool, "--output", out, "--range", "2-30", "--negatives", "5", "--fn-ratio", "none", "--seed", "1");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ queries: 10, negativesFromRange: 50, negativesPadded: 0 });
    const rows = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { pos: string[]; neg: string[] });
    rows.forEach((row) => {
      expect(row.neg).toHaveLength(5);
      expect(row.neg).not.toContain(row.pos[0]);
    });
    expect(m3("mine", "--model", "x", "--input", input, "--output", out, "--range", "oops").stderr).toMatch(/--range must look like 10-210/);
  });

  it("eval: the evaluate pipeline from the command line", () => {
    const fix = path.join(ROOT, "gpu-worker/inference/fixtures");
    const out = path.join(tmp, "report.json");
    const r = m3("eval", "--model", path.join(fix, "tiny-model"), "--data", path.join(fix, "eval-beir"), "--output", out, "--modes", "dense,sparse");
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { queries: number; models: Array<{ modes: Record<string, Record<string, number>> }> };
    expect(summary.queries).toBe(10);
    expect(Object.keys(summary.models[0]!.modes)).toEqual(["dense", "sparse"]);
    expect(JSON.parse(readFileSync(out, "utf8")).metricContract).toMatch(/trec_eval -c/);
  });
});
