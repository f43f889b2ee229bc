import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { makeModelFolder } from "../../testing/model-folder";

/**
 * #20: the default base model (M3_BASE_MODEL here; the demo model by default) is offered in every workspace's
 * model list — what New run and Deployments choose from — without anyone typing a path.
 */
let scratch: string;
const cleanup: string[] = [];
let previousBaseModel: string | undefined;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "default-offer-"));
  previousBaseModel = process.env.M3_BASE_MODEL;
  process.env.M3_BASE_MODEL = path.join(scratch, "bge-m3");
  makeModelFolder(process.env.M3_BASE_MODEL, { withOnnx: true });
});

afterAll(() => {
  if (previousBaseModel === undefined) delete process.env.M3_BASE_MODEL;
  else process.env.M3_BASE_MODEL = previousBaseModel;
  for (const dir of [scratch, ...cleanup]) rmSync(dir, { recursive: true, force: true });
});

async function newWorkspace() {
  const owner = await createUser();
  const viewer = await createUser();
  const ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }, { userId: viewer.id, role: "VIEWER" }]);
  return { workspaceId: ws.id, owner: callerFor(owner.id), ownerId: owner.id, viewer: callerFor(viewer.id) };
}

describe("the default base model in every workspace (#20)", () => {
  it("appears in a new workspace's list once, even on concurrent first loads", async () => {
    const { workspaceId, viewer, ownerId } = await newWorkspace();
    expect(await db.baseModel.count({ where: { workspaceId } })).toBe(0);
    const lists = await Promise.all(Array.from({ length: 4 }, () => viewer.model.list({ workspaceId })));
    for (const list of lists) expect(list.map((m) => m.name)).toEqual(["bge-m3"]);
    const rows = await db.baseModel.findMany({ where: { workspaceId } });
    expect(rows).toHaveLength(1);
    // The viewer's load registered it in the owner's name, and still sees no folder path.
    expect(rows[0]!.createdById).toBe(ownerId);
    expect(lists[0]![0]!.dir).toBeNull();
  });

  it("stays removed in a workspace that keeps another model, and is not added beside a registered one", async () => {
    const { workspaceId, owner } = await newWorkspace();
    const [offered] = await owner.model.list({ workspaceId });
    // Under the configured model roots (vitest.config.ts sets M3_MODEL_ROOTS).
    mkdirSync(process.env.M3_MODEL_ROOTS!, { recursive: true });
    const other = mkdtempSync(path.join(process.env.M3_MODEL_ROOTS!, "other-"));
    cleanup.push(other);
    makeModelFolder(other, { withOnnx: true });
    await owner.model.register({ workspaceId, name: "mine", dir: other });
    await owner.model.delete({ workspaceId, baseModelId: offered!.id });
    expect((await owner.model.list({ workspaceId })).map((m) => m.name)).toEqual(["mine"]);
  });
});
