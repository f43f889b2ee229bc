import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { auth } from "../auth";
import { requireWorkspaceRole } from "../auth/workspace-access";
import { AppError } from "../lib/app-error";
import { createUpload } from "../services/datasets/uploads";

const STATUS: Record<AppError["code"], number> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429,
};

/**
 * POST /api/uploads?workspaceId=…&fileName=… with the raw file as the body. A plain route
 * (not tRPC) so the browser can stream a large file with upload progress. Editors only.
 */
export async function handleUpload(request: Request): Promise<Response> {
  try {
    const session = await auth();
    if (!session?.user?.id) throw new AppError("UNAUTHORIZED", "Sign in first.");
    const url = new URL(request.url);
    const workspaceId = url.searchParams.get("workspaceId") ?? "";
    const fileName = url.searchParams.get("fileName") ?? "";
    if (!fileName) throw new AppError("BAD_REQUEST", "fileName is required", "fileName");
    await requireWorkspaceRole(session.user.id, { id: workspaceId }, "EDITOR");
    const upload = await createUpload({ workspaceId, userId: session.user.id, fileName, body: request.body as WebReadableStream<Uint8Array> | null });
    return Response.json(upload, { status: 201 });
  } catch (error) {
    if (error instanceof AppError) {
      const tooLarge = /larger than the limit/.test(error.message);
      return Response.json({ error: error.message, field: error.field ?? null }, { status: tooLarge ? 413 : STATUS[error.code] });
    }
    console.error("upload failed:", (error as Error).message);
    return Response.json({ error: "Upload failed" }, { status: 500 });
  }
}
