"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect } from "react";
import { useTRPC } from "../_trpc/react";

/**
 * While the default base model is not ready (the demo model builds behind the web app on a first start), says what
 * waits for it and how far the build got; polls until it is ready, then refreshes the model lists once.
 */
export function DefaultModelBanner() {
  const t = useTranslations("defaultModel");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({
    ...trpc.demo.modelStatus.queryOptions(),
    refetchInterval: (query) => (query.state.data && (query.state.data.ready || query.state.data.build?.state === "failed") ? false : 5000),
  });
  const ready = status.data?.ready;
  useEffect(() => {
    if (ready) void queryClient.invalidateQueries(trpc.model.pathFilter());
  }, [ready, queryClient, trpc]);
  const data = status.data;
  if (!data || data.ready) return null;
  const build = data.build;
  if (!build) {
    return <p className="mb-4 rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="default-model-banner">{t("missing")}</p>;
  }
  if (build.state === "failed") {
    return <p className="mb-4 rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900" data-testid="default-model-banner">{t("failed", { error: build.error ?? "" })}</p>;
  }
  const percent = build.totalSteps ? Math.round((100 * build.step) / build.totalSteps) : 0;
  return (
    <div className="mb-4 rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900" data-testid="default-model-banner">
      <p>{t("building", { phase: t.has(`phases.${build.phase}`) ? t(`phases.${build.phase}`) : build.phase, step: build.step, total: build.totalSteps ?? "?" })}
        {build.etaSeconds !== null ? ` ${t("eta", { minutes: Math.max(1, Math.round(build.etaSeconds / 60)) })}` : ""}</p>
      <p className="text-xs">{t("waits")}</p>
      <div className="mt-1 h-1.5 w-full rounded bg-sky-100"><div className="h-1.5 rounded bg-sky-500" style={{ width: `${percent}%` }} /></div>
    </div>
  );
}
