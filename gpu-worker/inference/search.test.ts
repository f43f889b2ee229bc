import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { colbertScore } from "~/server/lib/retrieval/colbert";
import { weightedSum } from "~/server/lib/retrieval/fusion";
import { lexicalScore } from "~/server/lib/retrieval/sparse";
import type { M3Encoder } from "./encoder";
import { modelFingerprint } from "./embedding-cache";
import { loadEncoder } from "./load";
import { buildCorpusIndex, searchCorpus, type CorpusIndex } from "./search";

const MODEL = path.join(import.meta.dirname, "fixtures/tiny-model");
const docs = readFileSync(path.join(import.meta.dirname, "fixtures/eval-beir/corpus.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { _id: string; text: string })
  .map((d) => ({ id: d._id, text: d.text }));
const queries = [{ id: "a", text: docs[3]!.text }, { id: "b", text: "liver pain 肝" }];
const cacheDir = mkdtempSync(path.join(tmpdir(), "m3-cache-"));
let encoder: M3Encoder;
let index: CorpusIndex;

beforeAll(async () => {
  encoder = (await loadEncoder(MODEL)).encoder;
  index = await buildCorpusIndex(encoder, docs, { maxLength: 128, sparse: true, cache: { dir: cacheDir, model: modelFingerprint(MODEL) } });
});
afterAll(async () => {
  await encoder.backend.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("corpus search modes", () => {
  it("the embedding cache serves the second build without encoding", async () => {
    const spy = vi.spyOn(encoder, "encode");
    const again = await buildCorpusIndex(encoder, docs, { maxLength: 128, sparse: true, cache: { dir: cacheDir, model: modelFingerprint(MODEL) } });
    expect(spy).not.toHaveBeenCalled();
    expect(again.dense).toEqual(index.dense);
    expect(again.sparse!.map((m) => [...m])).toEqual(index.sparse!.map((m) => [...m]));
    // Another max length is another cache entry.
    await buildCorpusIndex(encoder, docs, { maxLength: 64, cache: { dir: cacheDir, model: modelFingerprint(MODEL) } });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it("dense finds the identical document first; sparse equals brute-force lexical scores", async () => {
    const { run } = await searchCorpus(encoder, index, queries, { mode: "dense", k: 5, queryMaxLength: 128 });
    expect(run.get("a")![0]!.docId).toBe("d3");
    const sparse = (await searchCorpus(encoder, index, queries, { mode: "sparse", k: 30, queryMaxLength: 128 })).run.get("b")!;
    const q = (await encoder.encode([queries[1]!.text], { maxLength: 128, outputs: ["sparse"] })).sparse![0]!;
    const brute = index.sparse!.map((w, i) => ({ docId: index.ids[i]!, score: lexicalScore(q, w) })).filter((x) => x.score > 0).sort((x, y) => y.score - x.score);
    expect(sparse.map((x) => x.docId)).toEqual(brute.map((x) => x.docId));
  });

  it("hybrid = weighted sum of the three scores; colbert and rrf rank the candidates", async () => {
    const hybrid = (await searchCorpus(encoder, index, queries, { mode: "hybrid", k: 3, candidates: 30, queryMaxLength: 128 })).run.get("b")!;
    const top = index.ids.indexOf(hybrid[0]!.docId);
    const q = await encoder.encode([queries[1]!.text], { maxLength: 128, outputs: ["dense", "sparse", "colbert"] });
    const p = await encoder.encode([index.texts[top]!], { maxLength: 128, outputs: ["colbert"] });
    let dense = 0;
    for (let t = 0; t < index.dim; t++) dense += q.dense[t]! * index.dense[top * index.dim + t]!;
    const want = weightedSum({ dense, sparse: lexicalScore(q.sparse![0]!, index.sparse![top]!), colbert: colbertScore(q.colbert![0]!, p.colbert![0]!, index.dim) });
    expect(hybrid[0]!.score).toBeCloseTo(want, 5);
    for (const mode of ["colbert", "rrf"] as const) {
      const r = (await searchCorpus(encoder, index, queries, { mode, k: 10, candidates: 20, queryMaxLength: 128 })).run;
      expect(r.get("a")).toHaveLength(10);
      expect(r.get("a")![0]!.docId).toBe("d3");
    }
  });

  it("an empty corpus is an error naming the file", async () => {
    await expect(buildCorpusIndex(encoder, [], { maxLength: 64, corpusFile: "data/corpus.jsonl" })).rejects.toThrow(/corpus data\/corpus\.jsonl is empty/);
  });
});
