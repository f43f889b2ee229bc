import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { requestUserId } from "../auth/request-session";
import { crossOriginRefusal, isCrossOrigin } from "../auth/same-origin";
import { requireWorkspaceRole } from "../auth/workspace-access";
import { AppError } from "../lib/app-error";
import { createUpload, UploadTooLargeError } from "../services/datasets/uploads";

const STATUS: Record<AppError["code"], number> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429,
};

/** Content-Length when the client declared a plain number, else null (chunked uploads). */
function declaredLength(request: Request): number | null {
  const header = request.headers.get("content-length");
  return header !== null && /^\d+$/.test(header) ? Number(header) : null;
}

/**
 * POST /api/uploads?workspaceId=…&fileName=… with the raw file as the body. A plain route
 * (not tRPC) so the browser can stream a large file with upload progress. Editors only.
 * Order matters: a cross-origin request is refused before anything else, and nothing reads
 * the body before the session, the role and the quota allow it.
 */
export async function handleUpload(request: Request): Promise<Response> {
  if (isCrossOrigin(request)) return crossOriginRefusal();
  try {
    const userId = await requestUserId(request);
    if (!userId) throw new AppError("UNAUTHORIZED", "Sign in first.");
    const url = new URL(request.url);
    const workspaceId = url.searchParams.get("workspaceId") ?? "";
    const fileName = url.searchParams.get("fileName") ?? "";
    if (!fileName) throw new AppError("BAD_REQUEST", "fileName is required", "fileName");
    await requireWorkspaceRole(userId, { id: workspaceId }, "EDITOR");
    const upload = await createUpload({
      workspaceId, userId, fileName, body: request.body as WebReadableStream<Uint8Array> | null, declaredBytes: declaredLength(request),
    });
    return Response.json(upload, { status: 201 });
  } catch (error) {
    if (error instanceof AppError) {
      const status = error instanceof UploadTooLargeError ? 413 : STATUS[error.code];
      return Response.json({ error: error.message, field: error.field ?? null }, { status });
    }
    console.error("upload failed:", (error as Error).message);
    return Response.json({ error: "Upload failed" }, { status: 500 });
  }
}
