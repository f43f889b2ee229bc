import { redirect } from "next/navigation";
import { currentSession, serverApi } from "./_trpc/server";

/** Entry: signed-out users go to sign-in; members to their first workspace; others create one. */
export default async function Home() {
  const session = await currentSession();
  if (!session?.user) redirect("/sign-in");
  const workspaces = await (await serverApi()).workspace.list();
  const first = workspaces[0];
  redirect(first ? `/w/${first.slug}` : "/workspaces/new");
}
