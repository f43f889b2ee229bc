import { ComparePage } from "./compare-view";

export default async function Compare({ searchParams }: { searchParams: Promise<{ s?: string; v?: string; g?: string }> }) {
  const { s, v, g } = await searchParams;
  return <ComparePage subjects={(s ?? "").split(",").filter(Boolean)} evalVersionId={v ?? null} generalVersionId={g ?? null} />;
}
