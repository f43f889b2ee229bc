"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Badge, Card, PageHeader, ProgressBar } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";
import { useJobMessage } from "../../../../_components/use-job-message";
import { AgreementPanel } from "./agreement-panel";
import { BulkView } from "./bulk-view";
import { ExportPanel } from "./export-panel";
import { FocusView } from "./focus-view";
import { GuidePanel } from "./guide-panel";

const TABS = ["review", "candidates", "guide", "agreement", "export"] as const;

export function RunDetail({ runId }: { runId: string }) {
  const t = useTranslations("synthesis.run");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const tj = useTranslations("jobs");
  const message = useJobMessage();
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.synthesis.get.queryOptions({ workspaceId: workspace.id, runId }),
    refetchInterval: (q) => (q.state.data?.job && ["QUEUED", "RUNNING"].includes(q.state.data.job.status) ? 1500 : false),
  });
  const [tab, setTab] = useState<(typeof TABS)[number]>(canEdit ? "review" : "candidates");
  if (run.error) return <p role="alert" className="text-sm text-red-600">{run.error.message}</p>;
  if (!run.data) return null;
  const r = run.data;
  const stats = r.stats as Record<string, number>;
  const running = r.job && ["QUEUED", "RUNNING"].includes(r.job.status);
  return (
    <>
      <PageHeader title={r.name} description={t("summary", { chunks: stats.chunks ?? 0, candidates: stats.candidates ?? 0, malformed: stats.malformed ?? 0, errors: stats.llmErrors ?? 0 })} actions={r.job ? <Badge value={r.job.status} label={tj(`status.${r.job.status}`)} /> : null} />
      {running ? (
        <Card><ProgressBar value={r.job!.progress} /><p className="mt-1 text-xs text-slate-500">{message(r.job!.progressMessage)}</p></Card>
      ) : r.job?.status === "FAILED" ? (
        <Card><pre role="alert" className="whitespace-pre-wrap text-xs text-red-700">{r.job.lastError}</pre></Card>
      ) : (
        <div className="space-y-4">
          <nav className="flex gap-1 border-b border-slate-200">
            {TABS.filter((x) => canEdit || (x !== "review" && x !== "export")).map((x) => (
              <button key={x} onClick={() => setTab(x)} className={`-mb-px border-b-2 px-3 py-2 text-sm ${tab === x ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600"}`}>
                {t(`tabs.${x}`)}{x === "candidates" ? ` (${Object.values(r.counts).reduce((a, b) => a + b, 0)})` : ""}
              </button>
            ))}
          </nav>
          {tab === "review" ? <div className="grid gap-4 lg:grid-cols-3"><div className="lg:col-span-2"><FocusView runId={runId} /></div><GuidePanel runId={runId} guide={r.guide} compact /></div> : null}
          {tab === "candidates" ? <BulkView runId={runId} /> : null}
          {tab === "guide" ? <GuidePanel runId={runId} guide={r.guide} /> : null}
          {tab === "agreement" ? <AgreementPanel runId={runId} /> : null}
          {tab === "export" ? <ExportPanel runId={runId} runName={r.name} /> : null}
        </div>
      )}
    </>
  );
}
