import { beforeAll, describe, expect, it } from "vitest";
import { uploadContent, uploadFile, ownerWorkspaceWithArtifacts } from "../../testing/datasets";
import { ZH_DIALOGUE_CSV } from "../../testing/shared-data";
import { PREVIEW_ROWS, previewUpload } from "./preview";

let workspaceId: string;
let userId: string;

beforeAll(async () => {
  ({ workspaceId, userId } = await ownerWorkspaceWithArtifacts());
});

describe("upload preview (#20 item 7)", () => {
  it("does not guess a coarse column (department) as the split group of the Chinese dialogue CSV", async () => {
    const upload = await uploadFile(workspaceId, userId, ZH_DIALOGUE_CSV);
    const preview = await previewUpload({ workspaceId, uploadId: upload.id });
    expect(preview.columns).toContain("department");
    expect(preview.suggested).toMatchObject({ query: "title", positive: "answer" });
    expect(preview.suggested.group).toBeUndefined();
    expect(preview.rows).toHaveLength(PREVIEW_ROWS);
  });

  it("guesses a per-question id column as the group", async () => {
    const csv = ["qid,question,answer,department", ...Array.from({ length: 30 }, (_, i) => `q${i % 10},question ${i},answer ${i},liver`)].join("\n");
    const upload = await uploadContent(workspaceId, userId, "pairs.csv", csv);
    const preview = await previewUpload({ workspaceId, uploadId: upload.id });
    expect(preview.suggested.group).toBe("qid");
    expect(preview.rows.length).toBe(PREVIEW_ROWS);
  });
});
