import { beforeAll, describe, expect, it } from "vitest";
import { importBeir, ownerWorkspaceWithArtifacts } from "../../testing/datasets";
import { listRecords } from "./datasets";

let workspaceId: string;
let userId: string;

beforeAll(async () => {
  ({ workspaceId, userId } = await ownerWorkspaceWithArtifacts());
});

describe("an evaluation set's judgements (#20 item 7: ids without text)", () => {
  it("come with the text of their query and document; counts are per record type", async () => {
    const imported = await importBeir(workspaceId, userId, "liver-eval", {
      corpus: [{ _id: "d1", text: "Hepatitis B spreads through blood." }, { _id: "d2", text: "Gallstones can block the bile duct." }],
      queries: [{ _id: "q1", text: "How does hepatitis B spread?" }, { _id: "q2", text: "What do gallstones cause?" }],
      qrels: [{ qid: "q1", docid: "d1" }, { qid: "q2", docid: "d2" }],
    });
    expect(imported.counts).toMatchObject({ query: 2, doc: 2, qrel: 2 });
    const page = await listRecords({ workspaceId, versionId: imported.versionId, type: "qrel", offset: 0, limit: 10 });
    expect(page.rows.map((r) => [r.queryText, r.docText])).toEqual([
      ["How does hepatitis B spread?", "Hepatitis B spreads through blood."],
      ["What do gallstones cause?", "Gallstones can block the bile duct."],
    ]);
    const queries = await listRecords({ workspaceId, versionId: imported.versionId, type: "query", offset: 0, limit: 10 });
    expect(queries.rows[0]).not.toHaveProperty("queryText");
  });
});
