"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useLocale, useTranslations } from "next-intl";
import { Button, Card } from "../../../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../../../_components/workspace-context";
import { useTRPC } from "../../../../../../_trpc/react";
import { Histogram } from "./histogram";
import { warningValues } from "./quality-warning-values";

export interface QualityReportView {
  score: number;
  /** value/threshold/penalty: reports computed before #20 lack them (then the English message is shown). */
  warnings: { code: string; severity: "info" | "warning" | "error"; message: string; value?: number; threshold?: number; penalty?: number }[];
  nearDuplicates?: { a: string; b: string; similarity: number }[];
  nearDuplicateClusters?: number;
  metrics: { key: string; value: number; format: "percent" | "number" }[];
  histograms: { key: string; bins: { label: string; count: number }[]; truncatedShare?: number; maxLength?: number }[];
  computedAt: string;
}

/** The version's quality report (computed by a worker job) with its charts and warnings. */
export function QualityPanel({ versionId, kind, quality }: { versionId: string; kind: string; quality: unknown }) {
  const t = useTranslations("datasets.quality");
  const locale = useLocale();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const compute = useMutation(trpc.dataset.computeQuality.mutationOptions());
  // Follow the report's job; when it ends, reload the version (which carries the report).
  const job = useQuery({
    ...trpc.job.get.queryOptions({ workspaceId: workspace.id, jobId: compute.data?.id ?? "00000000-0000-0000-0000-000000000000" }),
    enabled: !!compute.data,
    refetchInterval: (q) => (q.state.data && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(q.state.data.status) ? false : 1000),
  });
  const finished = job.data?.status === "SUCCEEDED" || job.data?.status === "FAILED";
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: trpc.dataset.version.queryKey() });
  }, [finished, queryClient, trpc]);
  const report = quality as QualityReportView | null;
  const metricLabel = (key: string) => {
    const truncation = /^(query|positive)TruncatedAt(\d+)$/.exec(key);
    if (truncation) return t("truncatedMetric", { what: t(`texts.${truncation[1]}`), max: truncation[2]! });
    return t.has(`metrics.${key}`) ? t(`metrics.${key}`) : key;
  };
  const warningText = (w: QualityReportView["warnings"][number]) =>
    w.value !== undefined && w.threshold !== undefined && t.has(`warnings.${w.code}`)
      ? t(`warnings.${w.code}`, warningValues(w.code, w.value, w.threshold, locale))
      : w.message;
  if (kind !== "TRAINING" && kind !== "RAG_LOG" && kind !== "EVALUATION") return null;
  return (
    <Card
      title={t("title")}
      actions={canEdit ? <Button variant="secondary" onClick={() => compute.mutate({ workspaceId: workspace.id, versionId })} disabled={compute.isPending}>{report ? t("recompute") : t("compute")}</Button> : null}
    >
      {compute.data && !finished ? <p className="mb-2 text-xs text-slate-500">{t("queued")}</p> : null}
      {job.data?.status === "FAILED" ? <p role="alert" className="mb-2 text-sm text-red-600">{job.data.lastError}</p> : null}
      {!report ? (
        <p className="text-sm text-slate-500">{t("none")}</p>
      ) : (
        <div className="space-y-5" data-testid="quality-report">
          <div className="flex items-center gap-4">
            <div className={`text-3xl font-bold ${report.score >= 80 ? "text-green-700" : report.score >= 60 ? "text-amber-600" : "text-red-600"}`} data-testid="quality-score">{report.score}</div>
            <div className="text-sm text-slate-600">{t("scoreOutOf")}</div>
          </div>
          {report.warnings.length ? (
            <ul className="space-y-1 text-sm" data-testid="quality-warnings">
              {report.warnings.map((w) => (
                <li key={w.code} data-code={w.code} className={w.severity === "error" ? "text-red-700" : w.severity === "warning" ? "text-amber-700" : "text-slate-600"}>
                  ● {warningText(w)}{w.penalty ? <span className="ml-1 text-xs text-slate-500">({t("penalty", { points: w.penalty })})</span> : null}
                </li>
              ))}
            </ul>
          ) : <p className="text-sm text-green-700">{t("noWarnings")}</p>}
          <dl className="grid grid-cols-2 gap-3 text-sm md:grid-cols-4">
            {report.metrics.map((m) => (
              <div key={m.key} className="rounded border border-slate-100 p-2">
                <dt className="text-xs text-slate-500">{metricLabel(m.key)}</dt>
                <dd className="font-medium">{m.format === "percent" ? `${(m.value * 100).toFixed(1)}%` : m.value.toLocaleString()}</dd>
              </div>
            ))}
          </dl>
          {report.nearDuplicates?.length ? (
            <details className="text-sm" data-testid="near-duplicates">
              <summary className="cursor-pointer text-slate-700">{t("nearDuplicates", { count: report.nearDuplicates.length, clusters: report.nearDuplicateClusters ?? report.nearDuplicates.length })}</summary>
              <ul className="mt-2 max-h-72 space-y-2 overflow-auto">
                {report.nearDuplicates.map((p, i) => (
                  <li key={i} className="rounded border border-slate-100 p-2">
                    <div>{p.a}</div>
                    <div className="text-slate-600">{p.b}</div>
                    <div className="text-xs text-slate-500">{t("similarity", { value: p.similarity.toFixed(2) })}</div>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          <div className="grid gap-4 md:grid-cols-2">
            {report.histograms.map((h) => <Histogram key={h.key} title={t.has(`histograms.${h.key}`) ? t(`histograms.${h.key}`) : h.key} bins={h.bins} note={h.truncatedShare !== undefined ? t("truncated", { share: (h.truncatedShare * 100).toFixed(1), max: h.maxLength ?? 0 }) : undefined} />)}
          </div>
        </div>
      )}
    </Card>
  );
}
