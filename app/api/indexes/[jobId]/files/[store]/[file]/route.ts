import { handleIndexFileDownload } from "~/server/services/indexes/download";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ jobId: string; store: string; file: string }> }) {
  const { jobId, store, file } = await params;
  return handleIndexFileDownload(request, jobId, store, file);
}
