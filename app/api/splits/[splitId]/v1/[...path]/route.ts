import { proxyToSplit } from "~/server/http/deployment-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** An experiment endpoint: each request goes to deployment A or B by weight (server/http/deployment-proxy.ts). */
export async function POST(request: Request, { params }: { params: Promise<{ splitId: string; path: string[] }> }) {
  const { splitId, path } = await params;
  return proxyToSplit(request, splitId, path);
}
