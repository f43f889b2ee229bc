import { proxyToDeployment } from "~/server/http/deployment-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Context = { params: Promise<{ deploymentId: string; path: string[] }> };

/** The deployment's stable URL: balanced across its healthy replicas (server/http/deployment-proxy.ts). */
export async function POST(request: Request, { params }: Context) {
  const { deploymentId, path } = await params;
  return proxyToDeployment(request, deploymentId, path);
}

/** GET /v1/models[/<name>] (other paths answer 405 with Allow: POST). */
export async function GET(request: Request, { params }: Context) {
  const { deploymentId, path } = await params;
  return proxyToDeployment(request, deploymentId, path);
}
