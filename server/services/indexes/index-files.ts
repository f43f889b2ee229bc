import { stat } from "node:fs/promises";
import path from "node:path";
import { requireWorkspaceRole } from "../../auth/workspace-access";
import { AppError } from "../../lib/app-error";
import { resolveArtifact } from "../../storage/artifacts";
import { getIndex, indexFolder } from "./indexes";

/** The file on disk for a member's download request; NOT_FOUND for anything the index's manifest does not list. */
export async function indexFileForDownload({ userId, workspaceId, jobId, store, file }: { userId: string; workspaceId: string; jobId: string; store: string; file: string }) {
  await requireWorkspaceRole(userId, { id: workspaceId }, "VIEWER");
  const index = await getIndex({ workspaceId, jobId });
  const listed = index.manifest?.stores.find((s) => s.store === store)?.files.includes(file) ?? false;
  if (!listed) throw new AppError("NOT_FOUND", "File not found.");
  const full = resolveArtifact(path.join(indexFolder(workspaceId, jobId), store, file));
  return { path: full, size: (await stat(full)).size, downloadName: `${index.name}-${store}-${file}` };
}
