import { splitHealth } from "~/server/http/deployment-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Without a key: only {status} (ok / unavailable); with one: a replica's /health (server/http/deployment-proxy.ts). */
export async function GET(request: Request, { params }: { params: Promise<{ splitId: string }> }) {
  const { splitId } = await params;
  return splitHealth(request, splitId);
}
