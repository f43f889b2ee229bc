import { DeploymentDetail } from "./deployment-detail";

export default async function DeploymentPage({ params }: { params: Promise<{ deploymentId: string }> }) {
  const { deploymentId } = await params;
  return <DeploymentDetail deploymentId={deploymentId} />;
}
