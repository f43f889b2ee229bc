/**
 * The `index_corpus` job on real PostgreSQL and the demo model: with an evaluation version picked, the manifest it
 * returns holds the recall cost of each ColBERT option measured on that version's queries (the same figures as
 * measuring them on the set directly); a documents version with a duplicate document id is refused by name.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { indexCorpusPayload } from "~/server/jobs/definitions/index-corpus";
import { PermanentJobError } from "~/server/jobs/types";
import { runImport } from "~/server/services/datasets/import/run-import";
import { importBeir, ownerWorkspaceWithArtifacts, uploadContent } from "~/server/testing/datasets";
import { MEDQUAD_JSONL } from "~/server/testing/shared-data";
import { loadEncoder } from "../inference/load";
import { measureColbertRecall } from "../indexing/colbert-recall";
import type { IndexManifest } from "../indexing/index-corpus";
import { runIndexCorpus } from "./index-corpus";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO = path.join(ROOT, ".cache/demo-model");
const rows = readFileSync(MEDQUAD_JSONL, "utf8").split("\n").filter(Boolean).slice(0, 30).map((l) => JSON.parse(l) as { qid: string; question: string; answer: string });
let workspaceId: string;
let userId: string;

const run = (payload: Record<string, unknown>, jobId: string) =>
  runIndexCorpus({
    jobId, workerId: "test", workDir: mkdtempSync(path.join(os.tmpdir(), "m3-index-job-")), signal: new AbortController().signal,
    payload: indexCorpusPayload.parse({ workspaceId, userId, name: "medquad", model: { kind: "default" }, stores: ["pgvector"], maxLength: 128, batchSize: 16, ...payload }),
    progress: async () => undefined, log: async () => undefined,
  });

beforeAll(async () => {
  ({ workspaceId, userId } = await ownerWorkspaceWithArtifacts());
  process.env.M3_BASE_MODEL = DEMO;
});

describe.runIf(existsSync(path.join(DEMO, "onnx/model.onnx")))("the index_corpus job", () => {
  it("measures the recall cost of each ColBERT option on the picked evaluation version and returns it in the manifest", async () => {
    const set = {
      corpus: rows.map((r) => ({ _id: `d-${r.qid}`, text: r.answer })),
      queries: rows.slice(0, 20).map((r) => ({ _id: `q-${r.qid}`, text: r.question })),
      qrels: rows.slice(0, 20).map((r) => ({ qid: `q-${r.qid}`, docid: `d-${r.qid}` })),
    };
    const { versionId } = await importBeir(workspaceId, userId, "medquad", set);
    const m = (await run({ versionId, colbert: { dimensions: 32, format: "int8" }, evalVersionId: versionId }, "job-recall")) as IndexManifest;
    expect(m.documents).toBe(30);
    const recall = m.colbertRecall!;
    expect(recall).toMatchObject({ evaluation: "medquad v1", queries: 20, judgedQueries: 20, corpus: 30, k: 10 });
    expect(recall.options.map((o) => `${o.dimensions}-${o.format}`)).toEqual(m.storage.colbert.map((c) => `${c.dimensions}-${c.format}`));

    // The same measurement on the set in memory, with the index's passage length: the job read the right set.
    const { encoder } = await loadEncoder(DEMO);
    try {
      const want = await measureColbertRecall({
        encoder, label: "medquad v1", options: m.storage.colbert, passageMaxLength: 128,
        data: { corpus: set.corpus.map((d) => ({ id: d._id, text: d.text })), queries: set.queries.map((q) => ({ id: q._id, text: q.text })), qrels: new Map(set.qrels.map((r) => [r.qid, new Map([[r.docid, 1]])])) },
      });
      // Rounded: ORT may sum in another order on another thread count; a different set or length moves whole queries.
      const round = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v]));
      expect(round(recall.baseline)).toEqual(round(want.baseline));
      expect(recall.baseline.dimensions).toBe(encoder.dim);
      expect(recall.options.map(round)).toEqual(want.options.map(round));
    } finally {
      await encoder.backend.close();
    }

    // Without ColBERT there is nothing to measure.
    const dense = (await run({ versionId, evalVersionId: versionId }, "job-dense")) as IndexManifest;
    expect(dense.colbertRecall).toBeNull();
  }, 600_000);

  it("refuses a documents version in which one document id occurs twice, naming the id", async () => {
    const docs = [{ id: "a", text: "liver" }, { id: "b", text: "kidney" }, { id: "a", text: "heart" }];
    const upload = await uploadContent(workspaceId, userId, "docs.jsonl", docs.map((d) => JSON.stringify(d)).join("\n"));
    const { versionId } = await runImport(
      { workspaceId, userId, datasetName: "dup-docs", kind: "DOCUMENTS", pairsAsEvaluation: false, files: [{ uploadId: upload.id, role: "docs" }] },
      { progress: async () => undefined, signal: new AbortController().signal },
    );
    const err = await run({ versionId }, "job-dup").catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentJobError);
    expect((err as Error).message).toBe('Document id "a" occurs 2 times in this version: every store keys documents by id, so give each document its own id.');
  }, 600_000);
});
