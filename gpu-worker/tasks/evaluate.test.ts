import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluatePayload } from "~/server/jobs/definitions/evaluate";
import type { EvaluationReport } from "../inference/run-evaluation";
import { makeEvaluateHandler } from "./evaluate";
import type { JobContext } from "./types";

const FIX = path.resolve(import.meta.dirname, "../inference/fixtures");
const root = mkdtempSync(path.join(tmpdir(), "m3-eval-"));
cpSync(path.join(FIX, "tiny-model"), path.join(root, "models/base"), { recursive: true });
cpSync(path.join(FIX, "tiny-model"), path.join(root, "models/tuned"), { recursive: true });
cpSync(path.join(FIX, "eval-beir"), path.join(root, "data/beir"), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fakeContext(payload: unknown) {
  const progress: Array<[number, string | undefined]> = [];
  const logs: string[] = [];
  const ctx: JobContext<never> = {
    jobId: "job-1",
    workerId: "worker-test",
    payload: payload as never,
    signal: new AbortController().signal,
    progress: async (f, m) => void progress.push([f, m]),
    log: async (l) => void logs.push(l),
    workDir: path.join(root, "work"),
  };
  return { ctx, progress, logs };
}

const handler = makeEvaluateHandler({ artifactsDir: root });

describe("evaluate job handler", () => {
  it("evaluates two models on a BEIR folder, all modes, with comparison, runs, cache and projection", async () => {
    const payload = evaluatePayload.parse({
      models: [{ label: "base", dir: "models/base" }, { label: "tuned", dir: "models/tuned" }],
      data: { dir: "data/beir", split: "test" },
      modes: ["dense", "sparse", "colbert", "hybrid", "rrf"],
      glossary: ["insulin", "胰岛素"],
      projection: { method: "pca" },
      output: "reports/eval.json",
      runDir: "reports/runs",
      cacheDir: "cache/emb",
    });
    const { ctx, progress } = fakeContext(payload);
    const result = (await handler(ctx)) as { output: string; queries: number };
    expect(result.output).toBe("reports/eval.json");
    expect(result.queries).toBe(10); // judged queries only
    const report = JSON.parse(readFileSync(path.join(root, "reports/eval.json"), "utf8")) as EvaluationReport;
    const dense = report.models[0]!.modes.dense!;
    // q0..q7 are copies of their grade-2 document: found at rank 1 → hit@1 = 8 of 10 queries.
    expect(dense.mean["hit@1"]).toBeCloseTo(0.8, 10);
    expect(Object.keys(dense.perQuery)).toHaveLength(10);
    expect(report.data.queriesWithoutRelevant).toEqual(["q9"]);
    for (const mode of ["dense", "sparse", "colbert", "hybrid", "rrf"]) {
      const m = report.models[1]!.modes[mode]!;
      expect(Object.values(m.mean).every(Number.isFinite)).toBe(true);
      expect(existsSync(path.join(root, `reports/runs/tuned.${mode}.trec`))).toBe(true);
    }
    // Same weights on both sides: zero deltas, p = 1.
    const row = report.comparison!.dense!.find((r) => r.metric === "ndcg@10")!;
    expect(row.delta).toBe(0);
    expect(row.pValue).toBe(1);
    expect(report.models[0]!.projection!.points).toHaveLength(30);
    expect(dense.domainTermRecall!.matchedQueries).toBe(2);
    expect(progress.at(-1)![0]).toBe(1);
    expect(progress.every(([f], i) => i === 0 || f >= progress[i - 1]![0])).toBe(true);
  });

  it("reads the FlagEmbedding layout with explicit files", async () => {
    const d = path.join(root, "data/flag");
    mkdirSync(d, { recursive: true });
    const corpus = readFileSync(path.join(FIX, "eval-beir/corpus.jsonl"), "utf8").replaceAll('"_id"', '"id"');
    writeFileSync(path.join(d, "corpus.jsonl"), corpus);
    writeFileSync(path.join(d, "dev_queries.jsonl"), readFileSync(path.join(FIX, "eval-beir/queries.jsonl"), "utf8").replaceAll('"_id"', '"id"'));
    writeFileSync(path.join(d, "dev_qrels.jsonl"), ['{"qid":"q0","docid":"d0","relevance":1}', '{"qid":"q1","docid":"d5","relevance":1}'].join("\n"));
    const { ctx } = fakeContext(evaluatePayload.parse({ models: [{ label: "m", dir: "models/base" }], data: { dir: "data/flag", split: "dev" }, output: "reports/flag.json" }));
    const r = (await handler(ctx)) as { queries: number; models: Array<{ modes: { dense: Record<string, number> } }> };
    expect(r.queries).toBe(2);
    expect(r.models[0]!.modes.dense["hit@10"]).toBeGreaterThanOrEqual(0.5);
  });

  it("precision int8 runs the quantized graph", async () => {
    const { ctx } = fakeContext(evaluatePayload.parse({ models: [{ label: "q", dir: "models/base" }], data: { dir: "data/beir" }, precision: "int8", output: "reports/int8.json" }));
    const r = (await handler(ctx)) as { models: Array<{ modes: { dense: Record<string, number> } }> };
    expect(r.models[0]!.modes.dense["hit@10"]).toBeGreaterThanOrEqual(0.8);
  });

  it("bad input: clear errors naming file and id, no report written", async () => {
    const bad = path.join(root, "data/bad");
    mkdirSync(path.join(bad, "qrels"), { recursive: true });
    writeFileSync(path.join(bad, "corpus.jsonl"), '{"_id":"d1","text":"x"}\n');
    writeFileSync(path.join(bad, "queries.jsonl"), '{"_id":"q1","text":"y"}\n');
    writeFileSync(path.join(bad, "qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td404\t1\n");
    const run = (data: object, dir = "models/base") =>
      handler(fakeContext(evaluatePayload.parse({ models: [{ label: "m", dir }], data, output: "reports/bad.json" })).ctx);
    await expect(run({ dir: "data/bad" })).rejects.toThrow(/qrels\/test\.tsv:2: doc id "d404" \(query "q1"\) is not in .*corpus\.jsonl/);
    writeFileSync(path.join(bad, "qrels/test.tsv"), "q404\t0\td1\t1\n");
    await expect(run({ dir: "data/bad" })).rejects.toThrow(/query id "q404" is not in .*queries\.jsonl/);
    writeFileSync(path.join(bad, "corpus.jsonl"), "\n");
    await expect(run({ dir: "data/bad" })).rejects.toThrow(/corpus file .*corpus\.jsonl is empty/);
    await expect(run({ dir: "data/beir" }, "models/missing")).rejects.toThrow(/models\/missing does not exist/);
    expect(existsSync(path.join(root, "reports/bad.json"))).toBe(false);
  });

  it("payload schema refuses paths outside the artifact folder", () => {
    const base = { models: [{ label: "m", dir: "models/base" }], data: { dir: "data/beir" }, output: "r.json" };
    expect(evaluatePayload.safeParse(base).success).toBe(true);
    expect(evaluatePayload.safeParse({ ...base, output: "../r.json" }).success).toBe(false);
    expect(evaluatePayload.safeParse({ ...base, models: [{ label: "m", dir: "/etc" }] }).success).toBe(false);
  });
});
