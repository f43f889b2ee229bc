import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { importBeir, importPairs, useTempArtifacts } from "../../testing/datasets";
import { createEvaluationRow, saveEvaluationResult } from "../experiments/evaluations";
import { codeOf } from "../../testing/trpc-codes";

/**
 * Collaboration through the real tRPC callers and PostgreSQL: comments (authz, verbatim text), the run note,
 * the activity feed after real actions, and domain-term recall from stored per-query results.
 */
let ws: { id: string; slug: string };
let owner: { id: string };
let editor: { id: string };
let viewer: { id: string };
let outsider: { id: string };
let otherWs: { id: string };
let baseModelId: string;
let trainVersionId: string;
let evalVersionId: string;

async function evalSet(workspaceId: string, userId: string, queries: Array<[string, string]>) {
  const r = await importBeir(workspaceId, userId, "glossary-eval", {
    corpus: queries.map(([id]) => ({ _id: `d-${id}`, text: `answer for ${id}` })),
    queries: queries.map(([id, text]) => ({ _id: id, text })),
    qrels: queries.map(([id]) => ({ qid: id, docid: `d-${id}` })),
  });
  return r.versionId;
}

beforeAll(async () => {
  await useTempArtifacts();
  [owner, editor, viewer, outsider] = await Promise.all([createUser(), createUser(), createUser(), createUser()]);
  await db.user.update({ where: { id: editor.id }, data: { name: "Edith Editor" } });
  ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }, { userId: editor.id, role: "EDITOR" }, { userId: viewer.id, role: "VIEWER" }]);
  otherWs = await createWorkspaceWith([{ userId: outsider.id, role: "OWNER" }]);
  // A registered base model row (the folder is not read by anything here: no job runs in this test).
  baseModelId = (await db.baseModel.create({ data: { workspaceId: ws.id, name: "demo-m3", dir: "/nonexistent", architecture: "XLMRobertaModel", dim: 64, maxLength: 128, vocabSize: 1000, layers: 2, parameters: 1000n, createdById: owner.id } })).id;
  trainVersionId = (await importPairs(ws.id, owner.id, "pairs", [{ query: "q one", pos: ["p one"] }, { query: "q two", pos: ["p two"] }])).versionId;
  evalVersionId = await evalSet(ws.id, owner.id, [
    ["q1", "胰岛素怎么打"], ["q2", "HbA1c 正常范围"], ["q3", "What does HBA1C measure, and insulin?"], ["q4", "headache remedies"], ["q5", "胰岛素和hba1c的关系"],
  ]);
}, 120_000);

const newRun = (name: string) => callerFor(editor.id).experiment.create({ workspaceId: ws.id, name, baseModelId, trainVersionId, evalVersionId, preset: "lora_quick", config: {} });

describe("comments", () => {
  it("members read and write them; an outsider is refused; text is stored and returned verbatim", async () => {
    const run = await newRun("comment target");
    const target = { kind: "run" as const, experimentId: run.id };
    const body = `<script>alert("x")</script> & <b>bold</b>\n  second line  `;
    // Viewers may comment (the builder records why); outsiders may neither read nor write.
    const mine = await callerFor(viewer.id).comment.create({ workspaceId: ws.id, target, body });
    expect(await codeOf(callerFor(outsider.id).comment.list({ workspaceId: ws.id, target }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(outsider.id).comment.create({ workspaceId: ws.id, target, body: "hi" }))).toBe("FORBIDDEN");
    // An outsider naming this run from their own workspace finds nothing either.
    expect(await codeOf(callerFor(outsider.id).comment.create({ workspaceId: otherWs.id, target, body: "hi" }))).toBe("NOT_FOUND");
    expect((await db.comment.findUniqueOrThrow({ where: { id: mine.id } })).body).toBe(body);

    await callerFor(editor.id).comment.create({ workspaceId: ws.id, target, body: "second" });
    const seenByOwner = await callerFor(owner.id).comment.list({ workspaceId: ws.id, target });
    expect(seenByOwner.map((c) => c.body)).toEqual([body, "second"]);
    expect(seenByOwner[1]!.author.name).toBe("Edith Editor");
    expect(seenByOwner.map((c) => [c.canEdit, c.canDelete])).toEqual([[false, true], [false, true]]);
    const seenByViewer = await callerFor(viewer.id).comment.list({ workspaceId: ws.id, target });
    expect(seenByViewer.map((c) => [c.canEdit, c.canDelete])).toEqual([[true, true], [false, false]]);
  });

  it("only the author edits; the author or an owner deletes; blank and over-long bodies are refused", async () => {
    const run = await newRun("edit rules");
    const target = { kind: "run" as const, experimentId: run.id };
    const c = await callerFor(viewer.id).comment.create({ workspaceId: ws.id, target, body: "first take" });
    expect(await codeOf(callerFor(editor.id).comment.update({ workspaceId: ws.id, commentId: c.id, body: "rewritten" }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(owner.id).comment.update({ workspaceId: ws.id, commentId: c.id, body: "rewritten" }))).toBe("FORBIDDEN");
    const edited = await callerFor(viewer.id).comment.update({ workspaceId: ws.id, commentId: c.id, body: "second take" });
    expect(edited.body).toBe("second take");
    expect(edited.editedAt).toBeInstanceOf(Date);
    expect(await codeOf(callerFor(viewer.id).comment.create({ workspaceId: ws.id, target, body: "   \n " }))).toBe("BAD_REQUEST");
    expect(await codeOf(callerFor(viewer.id).comment.create({ workspaceId: ws.id, target, body: "x".repeat(4001) }))).toBe("BAD_REQUEST");
    expect(await codeOf(callerFor(viewer.id).comment.create({ workspaceId: ws.id, target: { kind: "run", experimentId: "nope" }, body: "x" }))).toBe("NOT_FOUND");

    expect(await codeOf(callerFor(editor.id).comment.delete({ workspaceId: ws.id, commentId: c.id }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(owner.id).comment.delete({ workspaceId: ws.id, commentId: c.id }))).toBe("OK");
    const e = await callerFor(editor.id).comment.create({ workspaceId: ws.id, target, body: "mine" });
    expect(await codeOf(callerFor(editor.id).comment.delete({ workspaceId: ws.id, commentId: e.id }))).toBe("OK");
    expect(await callerFor(viewer.id).comment.list({ workspaceId: ws.id, target })).toEqual([]);
  });

  it("a comparison is one thread whatever the subject order, per evaluation version", async () => {
    const run = await newRun("compared");
    const subjects = [`base:${baseModelId}`, `run:${run.id}`];
    await callerFor(viewer.id).comment.create({ workspaceId: ws.id, target: { kind: "comparison", subjects, evalVersionId }, body: "tuned wins on 胰岛素" });
    const reversed = await callerFor(owner.id).comment.list({ workspaceId: ws.id, target: { kind: "comparison", subjects: [...subjects].reverse(), evalVersionId } });
    expect(reversed.map((c) => c.body)).toEqual(["tuned wins on 胰岛素"]);
    expect(await callerFor(owner.id).comment.list({ workspaceId: ws.id, target: { kind: "comparison", subjects, evalVersionId: null } })).toEqual([]);
    // Another workspace's model cannot be a subject of this workspace's thread.
    const foreign = await db.baseModel.create({ data: { workspaceId: otherWs.id, name: "theirs", dir: "/x", architecture: "x", dim: 1, maxLength: 1, vocabSize: 1, layers: 1, parameters: 1n, createdById: outsider.id } });
    expect(await codeOf(callerFor(viewer.id).comment.create({ workspaceId: ws.id, target: { kind: "comparison", subjects: [`base:${foreign.id}`], evalVersionId }, body: "x" }))).toBe("NOT_FOUND");
  });

  it("the run note is an editor's: viewers are refused, blank clears it", async () => {
    const run = await newRun("noted");
    expect(await codeOf(callerFor(viewer.id).experiment.setNote({ workspaceId: ws.id, experimentId: run.id, note: "x" }))).toBe("FORBIDDEN");
    await callerFor(editor.id).experiment.setNote({ workspaceId: ws.id, experimentId: run.id, note: "Baseline for the <liver> set" });
    expect((await callerFor(viewer.id).experiment.get({ workspaceId: ws.id, experimentId: run.id })).run.notes).toBe("Baseline for the <liver> set");
    await callerFor(editor.id).experiment.setNote({ workspaceId: ws.id, experimentId: run.id, note: "  " });
    expect((await callerFor(viewer.id).experiment.get({ workspaceId: ws.id, experimentId: run.id })).run.notes).toBeNull();
  });
});

describe("activity feed", () => {
  it("lists who launched, cancelled, resumed, tagged and commented, newest first, paged, for every member", async () => {
    const fresh = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }, { userId: editor.id, role: "EDITOR" }, { userId: viewer.id, role: "VIEWER" }]);
    const w = fresh.id;
    const bm = (await db.baseModel.create({ data: { workspaceId: w, name: "m", dir: "/x", architecture: "x", dim: 1, maxLength: 1, vocabSize: 1, layers: 1, parameters: 1n, createdById: owner.id } })).id;
    const tv = (await importPairs(w, owner.id, "pairs", [{ query: "a", pos: ["b"] }])).versionId;
    const run = await callerFor(editor.id).experiment.create({ workspaceId: w, name: "feed run", baseModelId: bm, trainVersionId: tv, preset: "lora_quick", config: {} });
    await callerFor(editor.id).experiment.cancel({ workspaceId: w, experimentId: run.id });
    await callerFor(owner.id).experiment.resume({ workspaceId: w, experimentId: run.id });
    // The checkpoint row the train job would write.
    const ckpt = await db.checkpoint.create({ data: { workspaceId: w, experimentId: run.id, step: 20, dir: `experiments/${run.id}/checkpoints/step-20`, tags: [], aliases: [] } });
    await callerFor(editor.id).model.tagCheckpoint({ workspaceId: w, checkpointId: ckpt.id, tags: ["candidate"], aliases: ["prod"] });
    await callerFor(viewer.id).comment.create({ workspaceId: w, target: { kind: "run", experimentId: run.id }, body: "looks good" });
    await callerFor(editor.id).glossary.set({ workspaceId: w, terms: ["胰岛素"] });
    // Membership events stay in the audit log, out of the feed.
    await callerFor(owner.id).invite.create({ workspaceId: w, role: "VIEWER" });

    const feed = await callerFor(viewer.id).activity.list({ workspaceId: w, limit: 50 });
    expect(feed.items.map((i) => [i.action, i.actor?.id])).toEqual([
      ["glossary.updated", editor.id],
      ["comment.created", viewer.id],
      ["checkpoint.tagged", editor.id],
      ["run.resumed", owner.id],
      ["run.cancelled", editor.id],
      ["run.created", editor.id],
    ]);
    expect(feed.items.find((i) => i.action === "checkpoint.tagged")).toMatchObject({ target: { type: "run", id: run.id, label: "feed run · step 20" }, note: "candidate @prod" });
    expect(feed.items.find((i) => i.action === "comment.created")!.target).toEqual({ type: "run", id: run.id, label: "feed run" });
    expect(feed.items[0]!.actor?.name).toBe("Edith Editor");
    expect(feed.nextCursor).toBeNull();

    // Pages of 4 then 2, no overlap.
    const first = await callerFor(viewer.id).activity.list({ workspaceId: w, limit: 4 });
    const second = await callerFor(viewer.id).activity.list({ workspaceId: w, limit: 4, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual(feed.items.map((i) => i.id));
    expect(second.nextCursor).toBeNull();
    expect(await codeOf(callerFor(outsider.id).activity.list({ workspaceId: w }))).toBe("FORBIDDEN");
  });

  it("lists who deployed, switched, rolled back, stopped and restarted a deployment", async () => {
    const w = (await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }, { userId: editor.id, role: "EDITOR" }])).id;
    // Deployments check the folder layout only (no job runs here).
    const folder = async (name: string) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), `m3-${name}-`));
      await writeFile(path.join(dir, "config.json"), "{}");
      await writeFile(path.join(dir, "tokenizer.json"), "{}");
      return (await db.baseModel.create({ data: { workspaceId: w, name, dir, architecture: "x", dim: 1, maxLength: 1, vocabSize: 1, layers: 1, parameters: 1n, createdById: owner.id } })).id;
    };
    const [a, b] = [await folder("model-a"), await folder("model-b")];
    const api = callerFor(editor.id).deployment;
    const dep = await api.create({ workspaceId: w, name: "search", model: { kind: "base", id: a } });
    await api.switchModel({ workspaceId: w, deploymentId: dep.id, model: { kind: "base", id: b } });
    await api.rollback({ workspaceId: w, deploymentId: dep.id });
    await api.undeploy({ workspaceId: w, deploymentId: dep.id });
    await api.redeploy({ workspaceId: w, deploymentId: dep.id });
    const feed = await callerFor(owner.id).activity.list({ workspaceId: w });
    expect(feed.items.map((i) => [i.action, i.note])).toEqual([
      ["deployment.restarted", "base: model-a"],
      ["deployment.stopped", "base: model-a"],
      ["deployment.rolled_back", "base: model-a"],
      ["deployment.switched", "base: model-b"],
      ["deployment.created", "base: model-a"],
    ]);
    expect(feed.items.every((i) => i.actor?.id === editor.id)).toBe(true);
    expect(feed.items[0]!.target).toEqual({ type: "deployment", id: dep.id, label: "search" });
  });
});

describe("glossary and domain-term recall", () => {
  it("editors set the glossary (deduplicated case-insensitively); viewers read it", async () => {
    expect(await codeOf(callerFor(viewer.id).glossary.set({ workspaceId: ws.id, terms: ["x"] }))).toBe("FORBIDDEN");
    const saved = await callerFor(editor.id).glossary.set({ workspaceId: ws.id, terms: [" 胰岛素 ", "HbA1c", "hba1c", "", "Insulin", "migraine"] });
    expect(saved).toEqual(["胰岛素", "HbA1c", "Insulin", "migraine"]);
    expect(await callerFor(viewer.id).glossary.list({ workspaceId: ws.id })).toEqual(saved);
    expect(await codeOf(callerFor(editor.id).glossary.set({ workspaceId: ws.id, terms: ["x".repeat(101)] }))).toBe("BAD_REQUEST");
  });

  it("computes recall@10 and nDCG@10 on glossary queries from stored per-query results, with deltas vs base", async () => {
    await callerFor(editor.id).glossary.set({ workspaceId: ws.id, terms: ["胰岛素", "HbA1c", "Insulin", "migraine"] });
    const run = await newRun("tuned");
    const ckpt = await db.checkpoint.create({ data: { workspaceId: ws.id, experimentId: run.id, step: 10, dir: "x", tags: [], aliases: [] } });
    await db.experiment.update({ where: { id: run.id }, data: { bestCheckpointId: ckpt.id } });
    const evaluation = await createEvaluationRow({ workspaceId: ws.id, name: "e", evalVersionId, subjects: [], modes: ["dense"] });
    const save = (kind: "base" | "checkpoint", id: string, recall: number[], ndcg: number[], qids: string[]) =>
      saveEvaluationResult({
        evaluationId: evaluation.id, evalVersionId, subject: { kind, id, label: id }, mode: "dense", mean: {},
        perQuery: Object.fromEntries(qids.map((q, i) => [q, { "recall@10": recall[i]!, "ndcg@10": ndcg[i]! }])),
      });
    await save("base", baseModelId, [1, 0, 0.5, 1, 0], [0.5, 0, 0.25, 1, 0], ["q1", "q2", "q3", "q4", "q5"]);
    await save("checkpoint", ckpt.id, [1, 1, 1, 0], [1, 0.5, 0.5, 0], ["q1", "q2", "q3", "q4"]);

    const r = await callerFor(viewer.id).glossary.recall({ workspaceId: ws.id, subjects: [`base:${baseModelId}`, `run:${run.id}`], evalVersionId, mode: "dense" });
    expect(r.glossarySize).toBe(4);
    expect(r.subjects.map((s) => s.label)).toEqual(["demo-m3", "tuned @10"]);
    expect(r.rows.map((x) => [x.term, x.queries])).toEqual([[null, 4], ["HbA1c", 3], ["胰岛素", 2], ["Insulin", 1]]);
    expect(r.rows[0]!.values[0]!["recall@10"]).toBeCloseTo(0.375, 4);
    expect(r.rows[0]!.values[1]!["recall@10"]).toBeCloseTo(0.75, 4);
    expect(r.rows[0]!.delta[1]!["ndcg@10"]).toBeCloseTo(0.3125, 4);
    expect(r.rows[1]!.delta[1]!["recall@10"]).toBeCloseTo(0.5, 4);
    expect(await codeOf(callerFor(outsider.id).glossary.recall({ workspaceId: otherWs.id, subjects: [`base:${baseModelId}`], evalVersionId }))).toBe("NOT_FOUND");
  });
});
