import { Readable } from "node:stream";
import { auth } from "../auth";
import { requireWorkspaceRole } from "../auth/workspace-access";
import { db } from "../db";
import { AppError } from "../lib/app-error";
import { modelCard } from "../services/experiments/model-card";
import { resolveArtifact } from "../storage/artifacts";
import { tarStream } from "./checkpoint-tar";

const STATUS: Record<AppError["code"], number> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429,
};

async function authorise(request: Request, checkpointId: string) {
  const session = await auth();
  if (!session?.user?.id) throw new AppError("UNAUTHORIZED", "Sign in first.");
  const workspaceId = new URL(request.url).searchParams.get("workspaceId") ?? "";
  await requireWorkspaceRole(session.user.id, { id: workspaceId }, "VIEWER");
  const ckpt = await db.checkpoint.findFirst({ where: { id: checkpointId, workspaceId } });
  if (!ckpt) throw new AppError("NOT_FOUND", "Checkpoint not found.");
  return { workspaceId, ckpt };
}

function failure(error: unknown): Response {
  if (error instanceof AppError) return Response.json({ error: error.message }, { status: STATUS[error.code] });
  console.error("checkpoint download failed:", (error as Error).message);
  return Response.json({ error: "Download failed" }, { status: 500 });
}

/** GET /api/models/<checkpointId>/download?workspaceId=… — members (viewer and up) only. */
export async function handleCheckpointDownload(request: Request, checkpointId: string): Promise<Response> {
  try {
    const { workspaceId, ckpt } = await authorise(request, checkpointId);
    const card = await modelCard({ workspaceId, checkpointId });
    const name = `${(card.run?.name ?? "model").replace(/[^\w.-]+/g, "-")}-step-${ckpt.step}`;
    const stream = Readable.toWeb(Readable.from(tarStream(resolveArtifact(ckpt.dir), name, card.markdown))) as ReadableStream;
    return new Response(stream, { headers: { "content-type": "application/x-tar", "content-disposition": `attachment; filename="${name}.tar"` } });
  } catch (error) {
    return failure(error);
  }
}

/** GET /api/models/<checkpointId>/card?workspaceId=… — the generated model card as Markdown. */
export async function handleModelCard(request: Request, checkpointId: string): Promise<Response> {
  try {
    const { workspaceId } = await authorise(request, checkpointId);
    const card = await modelCard({ workspaceId, checkpointId });
    return new Response(card.markdown, { headers: { "content-type": "text/markdown; charset=utf-8" } });
  } catch (error) {
    return failure(error);
  }
}
