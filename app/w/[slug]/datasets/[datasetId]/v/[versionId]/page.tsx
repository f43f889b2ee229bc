import { VersionDetail } from "./version-detail";

export default async function VersionPage({ params }: { params: Promise<{ datasetId: string; versionId: string }> }) {
  const { datasetId, versionId } = await params;
  return <VersionDetail datasetId={datasetId} versionId={versionId} />;
}
