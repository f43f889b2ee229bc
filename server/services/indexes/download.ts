import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { auth } from "../../auth";
import { AppError } from "../../lib/app-error";
import { indexFileForDownload } from "./index-files";

const STATUS: Record<AppError["code"], number> = { BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429 };

/**
 * GET /api/indexes/<jobId>/files/<store>/<file>?workspaceId=… — one export file of a finished index, for members
 * (viewer and up) of the index's workspace. Only names the manifest lists are served, so no path reaches
 * outside the index's folder; a foreign workspace's index answers like a missing one.
 */
export async function handleIndexFileDownload(request: Request, jobId: string, store: string, file: string): Promise<Response> {
  try {
    const session = await auth();
    if (!session?.user?.id) throw new AppError("UNAUTHORIZED", "Sign in first.");
    const workspaceId = new URL(request.url).searchParams.get("workspaceId") ?? "";
    const found = await indexFileForDownload({ userId: session.user.id, workspaceId, jobId, store, file });
    const type = file.endsWith(".json") ? "application/json" : file.endsWith(".md") ? "text/markdown; charset=utf-8" : file.endsWith(".ndjson") || file.endsWith(".jsonl") ? "application/x-ndjson" : "text/plain; charset=utf-8";
    const body = Readable.toWeb(createReadStream(found.path)) as ReadableStream;
    return new Response(body, { headers: { "content-type": type, "content-length": String(found.size), "content-disposition": `attachment; filename="${found.downloadName}"` } });
  } catch (error) {
    if (error instanceof AppError) return Response.json({ error: error.message }, { status: STATUS[error.code] });
    console.error("index download failed:", (error as Error).message);
    return Response.json({ error: "Download failed" }, { status: 500 });
  }
}

