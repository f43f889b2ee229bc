import { IndexDetail } from "./index-detail";

export default async function IndexPage({ params }: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await params;
  return <IndexDetail jobId={jobId} />;
}
