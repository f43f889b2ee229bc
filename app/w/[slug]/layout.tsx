import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "../../_components/app-shell";
import { DefaultModelBanner } from "../../_components/default-model-banner";
import { WorkspaceProvider } from "../../_components/workspace-context";
import { currentSession, serverApi } from "../../_trpc/server";

/** Every page under /w/[slug] is for members only: non-members get a 404, not the page. */
export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const session = await currentSession();
  if (!session?.user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/w/${slug}`)}`);
  const api = await serverApi();
  const workspace = await api.workspace.bySlug({ workspaceSlug: slug }).catch(() => null);
  if (!workspace) notFound();
  const workspaces = await api.workspace.list();
  return (
    <WorkspaceProvider workspace={workspace}>
      <AppShell workspaces={workspaces} email={session.user.email ?? ""}><DefaultModelBanner />{children}</AppShell>
    </WorkspaceProvider>
  );
}
