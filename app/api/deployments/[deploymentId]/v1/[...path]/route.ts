import { proxyToDeployment } from "~/server/http/deployment-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The deployment's stable URL: balanced across its healthy replicas (server/http/deployment-proxy.ts). */
export async function POST(request: Request, { params }: { params: Promise<{ deploymentId: string; path: string[] }> }) {
  const { deploymentId, path } = await params;
  return proxyToDeployment(request, deploymentId, path);
}
