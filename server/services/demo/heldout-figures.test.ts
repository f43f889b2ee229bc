import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { db } from "../../db";
import { makeModelFolder } from "../../testing/model-folder";
import { callerFor, createUser } from "../../testing/factories";
import { readHeldoutFigures } from "./heldout-figures";

/**
 * The demo workspace shows the demo model's held-out nDCG@10 next to BM25's (#20 item 4) from the heldout.json
 * its build wrote into the model folder, never from figures in the code: other numbers in the file are other
 * numbers on the page, and a file from another build than the folder's .stamp is not shown.
 */
const dirs: string[] = [];
const savedBaseModel = process.env.M3_BASE_MODEL;
afterEach(() => {
  if (savedBaseModel === undefined) delete process.env.M3_BASE_MODEL;
  else process.env.M3_BASE_MODEL = savedBaseModel;
});
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await db.$disconnect();
});

const figures = { en: { queries: 300, documents: 288, "dense_ndcg@10": 0.4321, "bm25_ndcg@10": 0.8765 }, zh: { queries: 120, documents: 118, "dense_ndcg@10": 0.1234, "bm25_ndcg@10": 0.4567 } };

function builtModel({ stamp = "abc123", fileStamp = stamp, languages = figures as object }: { stamp?: string; fileStamp?: string; languages?: object } = {}) {
  const dir = makeModelFolder(mkdtempSync(path.join(os.tmpdir(), "m3-heldout-")), { withOnnx: true });
  dirs.push(dir);
  writeFileSync(path.join(dir, ".stamp"), `${stamp}\n`);
  writeFileSync(path.join(dir, "heldout.json"), JSON.stringify({ stamp: fileStamp, languages }));
  return dir;
}

describe("the demo model's held-out figures", () => {
  it("are read from the model folder's heldout.json, per language", () => {
    expect(readHeldoutFigures(builtModel())).toEqual([
      { language: "en", queries: 300, documents: 288, dense: 0.4321, bm25: 0.8765 },
      { language: "zh", queries: 120, documents: 118, dense: 0.1234, bm25: 0.4567 },
    ]);
  });

  it("are not shown without a file, from another build, or when the file is malformed", () => {
    const none = makeModelFolder(mkdtempSync(path.join(os.tmpdir(), "m3-heldout-")), { withOnnx: true });
    dirs.push(none);
    expect(readHeldoutFigures(none)).toBeNull();
    expect(readHeldoutFigures(null)).toBeNull();
    expect(readHeldoutFigures(builtModel({ stamp: "new", fileStamp: "old" }))).toBeNull();
    expect(readHeldoutFigures(builtModel({ languages: { en: { queries: 3, "dense_ndcg@10": 7 } } }))).toBeNull();
    const notJson = builtModel();
    writeFileSync(path.join(notJson, "heldout.json"), "{ half");
    expect(readHeldoutFigures(notJson)).toBeNull();
  });

  it("reach a demo workspace's checklist through the router, and only a demo workspace's", async () => {
    process.env.M3_BASE_MODEL = builtModel();
    const user = await createUser();
    const caller = callerFor(user.id);
    const demo = await caller.demo.create({ name: "Heldout demo", withData: false });
    const checklist = await caller.demo.checklist({ workspaceId: demo.workspace.id });
    expect(checklist.heldout?.map((h) => [h.language, h.dense, h.bm25])).toEqual([["en", 0.4321, 0.8765], ["zh", 0.1234, 0.4567]]);

    const plain = await caller.workspace.create({ name: "Not a demo" });
    expect((await caller.demo.checklist({ workspaceId: plain.id })).heldout).toBeNull();
  });
});

describe("a demo workspace made before the demo model was built", () => {
  it("gets the model registered by its checklist once the model is ready, instead of a Register button", async () => {
    const dir = builtModel();
    process.env.M3_BASE_MODEL = dir;
    const user = await createUser();
    const caller = callerFor(user.id);
    const demo = await caller.demo.create({ name: "Early demo", withData: false });
    // As if created while the model was building: nothing registered.
    await db.baseModel.deleteMany({ where: { workspaceId: demo.workspace.id } });
    const checklist = await caller.demo.checklist({ workspaceId: demo.workspace.id });
    expect(checklist.baseModel).not.toBeNull();
    expect(checklist.buildModelCommand).toBeNull();
    const registered = await db.baseModel.findMany({ where: { workspaceId: demo.workspace.id }, select: { id: true, name: true } });
    expect(registered).toEqual([{ id: checklist.baseModel!.id, name: path.basename(dir) }]);
  });
});
