import { handleModelCard } from "~/server/http/checkpoint-download";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ checkpointId: string }> }) {
  const { checkpointId } = await params;
  return handleModelCard(request, checkpointId);
}
