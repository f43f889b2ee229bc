import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mineNegativesPayload } from "~/server/jobs/definitions/mine-negatives";
import { makeMineNegativesHandler } from "./mine-negatives";
import type { JobContext } from "./types";

const FIX = path.resolve(import.meta.dirname, "../inference/fixtures");
const root = mkdtempSync(path.join(tmpdir(), "m3-mine-"));
cpSync(path.join(FIX, "tiny-model"), path.join(root, "models/base"), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const texts = readFileSync(path.join(FIX, "parity-texts.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { text: string }).text)
  .filter((t) => t.length > 0);
mkdirSync(path.join(root, "data"), { recursive: true });
// 20 training groups; query i's positive is text i; the query text itself is also in the pool.
const groups = Array.from({ length: 20 }, (_, i) => ({ query: texts[i + 40]!, pos: [texts[i]!], neg: [texts[i + 20]!], prompt: "p" }));
writeFileSync(path.join(root, "data/train.jsonl"), groups.map((g) => JSON.stringify(g)).join("\n"));
writeFileSync(path.join(root, "data/pool.jsonl"), texts.map((t) => JSON.stringify({ text: t })).join("\n"));

function ctxFor(payload: unknown) {
  const progress: number[] = [];
  const ctx: JobContext<never> = {
    jobId: "j",
    workerId: "w",
    payload: payload as never,
    signal: new AbortController().signal,
    progress: async (f) => void progress.push(f),
    log: async () => {},
    workDir: root,
  };
  return { ctx, progress };
}

const handler = makeMineNegativesHandler({ artifactsDir: root });
type Row = { query: string; pos: string[]; neg: string[]; prompt: string; pos_scores?: number[]; neg_scores?: number[] };
const read = (f: string) => readFileSync(path.join(root, f), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Row);

describe("mine_negatives job handler", () => {
  it("mines from ranks in range, never a positive or the query, deterministic with a seed", async () => {
    const payload = mineNegativesPayload.parse({ modelDir: "models/base", input: "data/train.jsonl", candidatePool: "data/pool.jsonl", output: "out/mined.jsonl", rangeStart: 2, rangeEnd: 40, negatives: 7, teacherScores: true, seed: 5, falseNegativeRatio: null });
    const { ctx, progress } = ctxFor(payload);
    const r = (await handler(ctx)) as { queries: number; pool: number; negativesFromRange: number };
    expect(r.queries).toBe(20);
    expect(progress.at(-1)).toBe(1);
    const rows = read("out/mined.jsonl");
    rows.forEach((row, i) => {
      expect(row.neg).toHaveLength(7);
      expect(row.neg).not.toContain(groups[i]!.pos[0]);
      expect(row.neg).not.toContain(groups[i]!.query);
      expect(new Set(row.neg).size).toBe(7);
      expect(row.prompt).toBe("p"); // other fields kept
      expect(row.neg_scores).toHaveLength(7);
      expect(row.pos_scores).toHaveLength(1);
    });
    expect(r.negativesFromRange).toBeGreaterThan(0);
    await handler(ctxFor(mineNegativesPayload.parse({ ...payload, output: "out/again.jsonl" })).ctx);
    expect(read("out/again.jsonl").map((x) => x.neg)).toEqual(rows.map((x) => x.neg));
  });

  it("without a pool file uses the input's pos and neg texts; pads when the range is short", async () => {
    const payload = mineNegativesPayload.parse({ modelDir: "models/base", input: "data/train.jsonl", output: "out/nopool.jsonl", negatives: 15 });
    const r = (await handler(ctxFor(payload).ctx)) as { pool: number; negativesPadded: number; skippedAsFalseNegative: number };
    expect(r.pool).toBe(40);
    // A random-weight model scores everything alike: the default 0.95 guard skips near-positive candidates.
    expect(r.skippedAsFalseNegative).toBeGreaterThan(0);
    expect(r.negativesPadded).toBeGreaterThan(0); // pool of 40 < default range 10–210
    read("out/nopool.jsonl").forEach((row, i) => {
      expect(row.neg).not.toContain(groups[i]!.pos[0]);
      expect(row.neg.length).toBe(15);
    });
  });

  it("bad input names the file", async () => {
    writeFileSync(path.join(root, "data/bad.jsonl"), '{"query":"q","pos":[]}\n');
    const run = (input: string) => handler(ctxFor(mineNegativesPayload.parse({ modelDir: "models/base", input, output: "out/x.jsonl" })).ctx);
    await expect(run("data/bad.jsonl")).rejects.toThrow(/data\/bad\.jsonl:1: "pos" must be a non-empty list/);
    await expect(run("data/none.jsonl")).rejects.toThrow(/training file .*none\.jsonl does not exist/);
    expect(mineNegativesPayload.safeParse({ modelDir: "m", input: "i.jsonl", output: "o.jsonl", rangeStart: 50, rangeEnd: 10 }).success).toBe(false);
  });
});
