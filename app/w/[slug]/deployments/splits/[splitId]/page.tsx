import { SplitDetail } from "./split-detail";

export default async function SplitPage({ params }: { params: Promise<{ splitId: string }> }) {
  const { splitId } = await params;
  return <SplitDetail splitId={splitId} />;
}
