import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { resolveArtifact } from "../../storage/artifacts";
import { runImport } from "../datasets/import/run-import";
import { importBeir, importPairs, uploadContent, useTempArtifacts } from "../../testing/datasets";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { indexFolder } from "./indexes";
import { indexFileForDownload } from "./index-files";

/** Indexes through the tRPC router: what the form offers, who may start one, and that every read is workspace-scoped. */
let owner: string;
let viewer: string;
let stranger: string;
let ws: string;
let other: string;
let evalVersion: string;
let pairsVersion: string;
let strangerVersion: string;
const options = (versionId: string) => ({ name: "docs_index", versionId, model: { kind: "default" as const }, stores: ["pgvector" as const] });

beforeAll(async () => {
  await useTempArtifacts();
  owner = (await createUser()).id;
  viewer = (await createUser()).id;
  stranger = (await createUser()).id;
  ws = (await createWorkspaceWith([{ userId: owner, role: "OWNER" }, { userId: viewer, role: "VIEWER" }])).id;
  other = (await createWorkspaceWith([{ userId: stranger, role: "OWNER" }])).id;
  const set = { corpus: [{ _id: "d1", text: "liver" }, { _id: "d2", text: "kidney" }, { _id: "d3", text: "heart" }], queries: [{ _id: "q1", text: "organ" }], qrels: [{ qid: "q1", docid: "d1" }] };
  evalVersion = (await importBeir(ws, owner, "organs", set)).versionId;
  pairsVersion = (await importPairs(ws, owner, "pairs", [{ query: "q", pos: ["p"] }])).versionId;
  strangerVersion = (await importBeir(other, stranger, "theirs", set)).versionId;
});

describe("indexes router", () => {
  it("offers the workspace's versions that hold documents, with their counts", async () => {
    const o = await callerFor(viewer).indexes.options({ workspaceId: ws });
    expect(o.versions).toEqual([{ id: evalVersion, label: "organs v1", kind: "EVALUATION", documents: 3 }]);
    expect(o.models.every((m) => !("modelDir" in m))).toBe(true);
  });

  it("starts a job for an editor only, and only on the workspace's own versions with documents", async () => {
    await expect(callerFor(viewer).indexes.create({ workspaceId: ws, options: options(evalVersion) })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: options(strangerVersion) })).rejects.toThrow(/Pick a version/);
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: options(pairsVersion) })).rejects.toThrow(/holds no documents/);
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: { ...options(evalVersion), name: "Bad-Name" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: { ...options(evalVersion), model: { kind: "checkpoint", id: "nope" } } })).rejects.toThrow(/Unknown checkpoint/);
    const started = await callerFor(owner).indexes.create({ workspaceId: ws, options: options(evalVersion) });
    expect(started.documents).toBe(3);
    const job = await db.job.findUniqueOrThrow({ where: { id: started.jobId } });
    expect(job).toMatchObject({ type: "index_corpus", workspaceId: ws, status: "QUEUED" });
    const list = await callerFor(viewer).indexes.list({ workspaceId: ws });
    expect(list.map((i) => [i.id, i.name, i.status, i.stores])).toContainEqual([started.jobId, "docs_index", "QUEUED", ["pgvector"]]);
    expect(await callerFor(stranger).indexes.list({ workspaceId: other })).toEqual([]);
    await expect(callerFor(stranger).indexes.get({ workspaceId: other, jobId: started.jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(stranger).indexes.get({ workspaceId: ws, jobId: started.jobId })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("takes an evaluation version of the workspace for the ColBERT recall cost, only with ColBERT on", async () => {
    const colbert = { ...options(evalVersion), colbert: { format: "float" as const } };
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: { ...colbert, evalVersionId: pairsVersion } })).rejects.toThrow(/Pick an evaluation version/);
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: { ...colbert, evalVersionId: strangerVersion } })).rejects.toThrow(/Pick an evaluation version/);
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: { ...options(evalVersion), evalVersionId: evalVersion } })).rejects.toThrow(/turn ColBERT on/);
    const { jobId } = await callerFor(owner).indexes.create({ workspaceId: ws, options: { ...colbert, evalVersionId: evalVersion } });
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.payload).toMatchObject({ evalVersionId: evalVersion, colbert: { format: "float" } });
  });

  it("refuses a version in which a document id occurs twice, naming the id", async () => {
    const upload = await uploadContent(ws, owner, "docs.jsonl", ['{"id":"x","text":"one"}', '{"id":"y","text":"two"}', '{"id":"x","text":"three"}'].join("\n"));
    const { versionId } = await runImport(
      { workspaceId: ws, userId: owner, datasetName: "dup-docs", kind: "DOCUMENTS", pairsAsEvaluation: false, files: [{ uploadId: upload.id, role: "docs" }] },
      { progress: async () => undefined, signal: new AbortController().signal },
    );
    await expect(callerFor(owner).indexes.create({ workspaceId: ws, options: options(versionId) })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining('Document id "x" occurs 2 times') });
  });

  it("serves only the files a finished index's manifest lists, to members of its workspace", async () => {
    const { jobId } = await callerFor(owner).indexes.create({ workspaceId: ws, options: options(evalVersion) });
    const ask = (userId: string, file: string, workspaceId = ws, store = "pgvector") => indexFileForDownload({ userId, workspaceId, jobId, store, file });
    await expect(ask(viewer, "schema.sql")).rejects.toMatchObject({ code: "NOT_FOUND" }); // not finished yet
    const dir = resolveArtifact(path.join(indexFolder(ws, jobId), "pgvector"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "schema.sql"), "CREATE TABLE docs_index ();\n");
    writeFileSync(path.join(dir, "secret.txt"), "not listed\n");
    const manifest = { name: "docs_index", stores: [{ store: "pgvector", files: ["schema.sql"], documents: 3, notes: [] }] };
    await db.job.update({ where: { id: jobId }, data: { status: "SUCCEEDED", result: manifest } });
    const found = await ask(viewer, "schema.sql");
    expect(found).toMatchObject({ size: 28, downloadName: "docs_index-pgvector-schema.sql" });
    await expect(ask(viewer, "secret.txt")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(ask(viewer, "../pgvector/schema.sql")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(ask(viewer, "schema.sql", ws, "qdrant")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(ask(stranger, "schema.sql")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(ask(stranger, "schema.sql", other)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
