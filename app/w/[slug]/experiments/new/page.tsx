import { NewRunForm } from "./new-run-form";

export default async function NewRunPage({ searchParams }: { searchParams: Promise<{ from?: string }> }) {
  const { from } = await searchParams;
  return <NewRunForm cloneFrom={from ?? null} />;
}
