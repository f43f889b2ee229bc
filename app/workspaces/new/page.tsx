import { redirect } from "next/navigation";
import { currentSession } from "../../_trpc/server";
import { CreateWorkspaceForm } from "./create-workspace-form";
import { CreateDemoWorkspace } from "./create-demo-workspace";

export default async function NewWorkspacePage() {
  const session = await currentSession();
  if (!session?.user) redirect("/sign-in?callbackUrl=/workspaces/new");
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <CreateWorkspaceForm />
        <div className="mt-6 border-t border-slate-200 pt-6"><CreateDemoWorkspace /></div>
      </div>
    </main>
  );
}
