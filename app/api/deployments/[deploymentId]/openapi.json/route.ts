import { deploymentOpenApi } from "~/server/http/deployment-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A replica's OpenAPI document, its servers pointed at this URL; the API key is needed (server/http/deployment-proxy.ts). */
export async function GET(request: Request, { params }: { params: Promise<{ deploymentId: string }> }) {
  const { deploymentId } = await params;
  return deploymentOpenApi(request, deploymentId);
}
