import { ComparePage } from "./compare-view";

export default async function Compare({ searchParams }: { searchParams: Promise<{ s?: string; v?: string }> }) {
  const { s, v } = await searchParams;
  return <ComparePage subjects={(s ?? "").split(",").filter(Boolean)} evalVersionId={v ?? null} />;
}
