import { RunDetail } from "./run-detail";

export default async function SynthesisRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  return <RunDetail runId={runId} />;
}
