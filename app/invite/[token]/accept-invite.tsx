"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useTRPC } from "../../_trpc/react";
import { Button } from "../../_components/ui";

export function AcceptInvite({ token, workspaceName, role }: { token: string; workspaceName: string; role: string }) {
  const t = useTranslations("invite");
  const tr = useTranslations("roles");
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(trpc.invite.accept.mutationOptions({ onSuccess: (r) => router.push(`/w/${r.slug}`) }));
  // Enabled once hydrated: a click on the server-rendered button would otherwise do nothing (seen on a loaded machine).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <div className="space-y-4">
      <p className="text-sm">{t("body", { workspace: workspaceName, role: tr(role) })}</p>
      {accept.error ? <p role="alert" className="text-sm text-red-600">{accept.error.message}</p> : null}
      <Button onClick={() => accept.mutate({ token })} disabled={!hydrated || accept.isPending || accept.isSuccess}>{t("accept")}</Button>
    </div>
  );
}
