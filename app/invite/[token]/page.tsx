import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { currentSession, serverApi } from "../../_trpc/server";
import { AcceptInvite } from "./accept-invite";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const session = await currentSession();
  if (!session?.user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`);
  const t = await getTranslations("invite");
  let preview: { workspaceName: string; role: string } | null = null;
  let problem: string | null = null;
  try {
    preview = await (await serverApi()).invite.preview({ token });
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="mb-3 text-lg font-semibold">{t("title")}</h1>
        {preview ? (
          <AcceptInvite token={token} workspaceName={preview.workspaceName} role={preview.role} />
        ) : (
          <p role="alert" className="text-sm text-red-600">{problem}</p>
        )}
      </div>
    </main>
  );
}
