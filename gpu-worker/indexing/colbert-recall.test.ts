/**
 * The recall cost of each ColBERT option, with the demo model on a MedQuAD cut (each question judged against its
 * own answer): the figures equal an independent recomputation (plain-JS MaxSim over the same dense shortlists,
 * scored by the metric engine), the full float option costs exactly nothing, and cutting to a few dimensions costs
 * recall.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateRun, type Qrels, type Run } from "~/server/lib/metrics";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { MEDQUAD_JSONL } from "~/server/testing/shared-data";
import type { M3Encoder } from "../inference/encoder";
import { loadEncoder } from "../inference/load";
import { measureColbertRecall, storedColbert } from "./colbert-recall";
import { cutColbert } from "./vector-formats";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
let encoder: M3Encoder;

const rows = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").filter(Boolean).slice(0, 80).map((l) => JSON.parse(l) as { qid: string; question: string; answer: string });
const corpus = rows.map((r) => ({ id: `d-${r.qid}`, text: r.answer }));
// 40 judged queries; the other 40 answers are distractors.
const queries = rows.slice(0, 40).map((r) => ({ id: `q-${r.qid}`, text: r.question }));
const qrels: Qrels = new Map(rows.slice(0, 40).map((r) => [`q-${r.qid}`, new Map([[`d-${r.qid}`, 1]])]));
const data = { corpus, queries, qrels };
const MAX_LENGTH = 128;
const CANDIDATES = 20;

beforeAll(async () => {
  if (!existsSync(path.join(DEMO, "onnx/model.onnx"))) execFileSync("bash", [path.join(ROOT, "scripts/build-demo-model.sh")], { stdio: "inherit" });
  encoder = (await loadEncoder(DEMO, { threads: 1 })).encoder;
}, 600_000);
afterAll(async () => {
  await encoder?.backend.close();
});

/** The same measurement written out the plain way: JS dot products for the shortlist, JS MaxSim for the rerank. */
async function expectedRecall(dimensions: number, format: "float" | "int8") {
  const dim = encoder.dim;
  const docs = await encoder.encode(corpus.map((d) => d.text), { maxLength: MAX_LENGTH, outputs: ["dense", "colbert"] });
  const qs = await encoder.encode(queries.map((q) => q.text), { maxLength: 64, outputs: ["dense", "colbert"] });
  const run: Run = new Map();
  queries.forEach((q, qi) => {
    const dot = (di: number) => {
      let s = 0;
      for (let t = 0; t < dim; t++) s += qs.dense[qi * dim + t]! * docs.dense[di * dim + t]!;
      return s;
    };
    const shortlist = corpus.map((_, di) => ({ di, s: dot(di) })).sort((a, b) => b.s - a.s || a.di - b.di).slice(0, CANDIDATES);
    const query = cutColbert(qs.colbert![qi]!, dim, dimensions);
    run.set(q.id, shortlist.map(({ di }) => ({ docId: corpus[di]!.id, score: colbertScore(query, storedColbert(docs.colbert![di]!, dim, dimensions, format), dimensions) })));
  });
  const mean = evaluateRun(qrels, run, [10]).mean;
  return { recall: mean["recall@10"]!, ndcg: mean["ndcg@10"]! };
}

describe("the recall cost of each ColBERT option", () => {
  it("reranks each query's dense shortlist with each option's stored vectors; deltas are against full float", async () => {
    const dim = encoder.dim;
    const options = [
      { dimensions: dim, format: "int8" as const },
      { dimensions: dim / 2, format: "float" as const },
      { dimensions: dim / 2, format: "int8" as const },
      { dimensions: 8, format: "float" as const },
      { dimensions: dim, format: "float" as const },
    ];
    const cost = await measureColbertRecall({ encoder, label: "medquad v1", data, options, passageMaxLength: MAX_LENGTH, candidates: CANDIDATES });
    expect(cost).toMatchObject({ evaluation: "medquad v1", queries: 40, judgedQueries: 40, corpus: 80, candidates: CANDIDATES, k: 10 });
    expect(cost.options.map((o) => [o.dimensions, o.format])).toEqual(options.map((o) => [o.dimensions, o.format]));

    const full = await expectedRecall(dim, "float");
    expect(cost.baseline).toEqual({ dimensions: dim, format: "float", recall: expect.closeTo(full.recall, 9), ndcg: expect.closeTo(full.ndcg, 6) });
    // A model that finds nothing would make every delta 0 whatever the options do.
    expect(full.recall).toBeGreaterThan(0.3);
    for (const [i, o] of options.entries()) {
      const want = await expectedRecall(o.dimensions, o.format);
      const got = cost.options[i]!;
      expect(got.recall, `${o.dimensions} ${o.format}`).toBeCloseTo(want.recall, 9);
      expect(got.ndcg, `${o.dimensions} ${o.format}`).toBeCloseTo(want.ndcg, 6);
      expect(got.recallDelta).toBeCloseTo(want.recall - full.recall, 9);
      expect(got.ndcgDelta).toBeCloseTo(want.ndcg - full.ndcg, 6);
    }
    // The full float option is the baseline itself; 8 of 128 dimensions loses ranking quality.
    expect(cost.options[4]).toMatchObject({ recallDelta: 0, ndcgDelta: 0 });
    expect(cost.options[3]!.ndcgDelta).toBeLessThan(0);
  }, 600_000);

  it("stored int8 vectors are the float ones to within one quantisation step", () => {
    const rows = new Float32Array([0.6, -0.8, 0, 0, 0.1, 0.2, -0.3, 0.9]);
    const back = storedColbert(rows, 4, 4, "int8");
    const cut = cutColbert(rows, 4, 4);
    for (let r = 0; r < 2; r++) {
      const step = Math.max(...Array.from(cut.subarray(r * 4, r * 4 + 4), Math.abs)) / 127;
      for (let j = 0; j < 4; j++) expect(Math.abs(back[r * 4 + j]! - cut[r * 4 + j]!)).toBeLessThanOrEqual(step / 2 + 1e-7);
    }
    expect(storedColbert(rows, 4, 2, "float")).toEqual(cutColbert(rows, 4, 2));
  });

  it("says which evaluation set has no judged query", async () => {
    await expect(measureColbertRecall({ encoder, label: "empty v2", data: { corpus, queries, qrels: new Map() }, options: [], passageMaxLength: MAX_LENGTH }))
      .rejects.toThrow("empty v2: the evaluation set has no judged query");
  });
});
