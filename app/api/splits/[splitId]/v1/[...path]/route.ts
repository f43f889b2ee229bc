import { proxyToSplit } from "~/server/http/deployment-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Context = { params: Promise<{ splitId: string; path: string[] }> };

/** An experiment endpoint: each request goes to deployment A or B by weight (server/http/deployment-proxy.ts). */
export async function POST(request: Request, { params }: Context) {
  const { splitId, path } = await params;
  return proxyToSplit(request, splitId, path);
}

/** GET /v1/models[/<name>] of the caller's variant (other paths answer 405 with Allow: POST). */
export async function GET(request: Request, { params }: Context) {
  const { splitId, path } = await params;
  return proxyToSplit(request, splitId, path);
}
