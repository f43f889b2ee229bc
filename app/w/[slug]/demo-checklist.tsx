"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useEffect } from "react";
import { Button, Card } from "../../_components/ui";
import { useCan, useWorkspace } from "../../_components/workspace-context";
import { errorMessage } from "../../_trpc/errors";
import { useTRPC } from "../../_trpc/react";

/**
 * The demo workspace's checklist (data → quality → synthesis/review → run → compare → deploy). Every tick comes
 * from the server's view of real state (demo.checklist), polled while steps remain, so it ticks itself off as
 * imports, reports, runs and deployments finish — in the browser or from `npm run demo`. Shown in demo workspaces only.
 */
export function DemoChecklist() {
  const t = useTranslations("demoWorkspace");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const checklist = useQuery({
    ...trpc.demo.checklist.queryOptions({ workspaceId: workspace.id }),
    refetchInterval: (query) => (query.state.data && (!query.state.data.demo || query.state.data.complete) ? false : 4000),
  });
  const register = useMutation(trpc.demo.registerModel.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.demo.checklist.pathFilter()) }));
  const data = checklist.data;
  // When a step ticks (or its pending jobs change), the lists under the checklist are stale: refetch them, so
  // "✓ data" never sits above an empty datasets list until a reload (#20 item 10).
  const progress = data?.steps.map((s) => `${s.id}:${s.done}:${s.pending}`).join(",");
  useEffect(() => {
    if (!progress) return;
    for (const filter of [trpc.dataset.pathFilter(), trpc.synthesis.pathFilter(), trpc.experiment.pathFilter(), trpc.deployment.pathFilter(), trpc.model.pathFilter()]) {
      void queryClient.invalidateQueries(filter);
    }
  }, [progress, queryClient, trpc]);
  if (!data?.demo) return null;

  const base = `/w/${workspace.slug}`;
  const href: Record<(typeof data.steps)[number]["id"], string> = {
    data: `${base}/datasets`,
    quality: `${base}/datasets`,
    review: `${base}/synthesis`,
    run: `${base}/experiments/new`,
    compare: data.compare ? `${base}/experiments/compare?s=${encodeURIComponent(`base:${data.compare.baseModelId},run:${data.compare.runId}`)}` : `${base}/experiments`,
    deploy: `${base}/deployments`,
  };
  const done = data.steps.filter((s) => s.done).length;

  return (
    <div className="mb-6" data-testid="demo-checklist">
      <Card title={t("checklistTitle")} actions={<span className="text-xs text-slate-500" data-testid="demo-progress">{t("progress", { done, total: data.steps.length })}</span>}>
        <p className="mb-3 text-sm text-slate-600">{data.complete ? t("complete") : t("checklistBody")}</p>
        {data.heldout ? (
          <div className="mb-3 rounded border border-slate-200 bg-slate-50 p-2 text-sm text-slate-700" data-testid="demo-heldout">
            <p className="font-medium">{t("heldout.title")}</p>
            <p className="text-xs text-slate-600">{t("heldout.body")}</p>
            <ul className="mt-1 text-xs">
              {data.heldout.map((h) => (
                <li key={h.language} data-testid={`demo-heldout-${h.language}`}>
                  {t("heldout.line", { language: t(`heldout.${h.language}`), dense: h.dense.toFixed(3), bm25: h.bm25.toFixed(3), queries: h.queries, documents: h.documents })}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {data.buildModelCommand ? (
          <p role="status" className="mb-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">
            {t("modelMissing")} <code className="rounded bg-white px-1">{data.buildModelCommand}</code>
          </p>
        ) : !data.baseModel && canEdit ? (
          <div className="mb-3 flex items-center gap-3 text-sm">
            <Button type="button" variant="secondary" disabled={register.isPending} onClick={() => register.mutate({ workspaceId: workspace.id })}>{t("registerModel")}</Button>
            {errorMessage(register.error) ? <span role="alert" className="text-red-600">{errorMessage(register.error)}</span> : null}
          </div>
        ) : null}
        <ol className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
          {data.steps.map((s, i) => (
            <li key={s.id} data-testid={`demo-step-${s.id}`} data-done={s.done ? "true" : "false"} className={`rounded-md border p-3 text-sm ${s.done ? "border-green-200 bg-green-50" : "border-slate-200"}`}>
              <div className="flex items-center gap-2 font-medium">
                <span aria-hidden className={s.done ? "text-green-700" : "text-slate-400"}>{s.done ? "✓" : `${i + 1}.`}</span>
                <span>{t(`steps.${s.id}.title`)}</span>
                <span className="sr-only">{s.done ? t("done") : t("todo")}</span>
              </div>
              <p className="mt-1 text-xs text-slate-600">{t(`steps.${s.id}.body`)}</p>
              {s.pending > 0 ? <p className="mt-1 text-xs text-blue-700">{t("pending", { count: s.pending })}</p> : null}
              <Link href={href[s.id]} className="mt-2 inline-block text-xs text-brand-600 underline">{t(`steps.${s.id}.action`)}</Link>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
