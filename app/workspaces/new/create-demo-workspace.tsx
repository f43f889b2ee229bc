"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { errorMessage } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/react";
import { Button } from "../../_components/ui";

/** First run: one click makes a workspace with the medical demo data importing and the demo model registered. */
export function CreateDemoWorkspace() {
  const t = useTranslations("demoWorkspace");
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.demo.create.mutationOptions({ onSuccess: (result) => router.push(`/w/${result.workspace.slug}`) }));
  return (
    <section className="space-y-3" data-testid="demo-offer">
      <h2 className="text-base font-semibold">{t("offerTitle")}</h2>
      <p className="text-sm text-slate-600">{t("offerBody")}</p>
      {errorMessage(create.error) ? <p role="alert" className="text-sm text-red-600">{errorMessage(create.error)}</p> : null}
      <Button type="button" variant="secondary" disabled={create.isPending || create.isSuccess} onClick={() => create.mutate({ name: t("workspaceName"), withData: true })}>
        {create.isPending || create.isSuccess ? t("creating") : t("create")}
      </Button>
      <p className="text-xs text-slate-500">{t("cliHint")} <code className="rounded bg-slate-100 px-1">npm run demo</code></p>
    </section>
  );
}
