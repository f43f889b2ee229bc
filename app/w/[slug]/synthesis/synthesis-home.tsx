"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../_components/relative-time";
import Link from "next/link";
import { Badge, Card, EmptyState, PageHeader } from "../../../_components/ui";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";
import { LlmSettingsCard } from "./llm-settings-card";
import { NewRunForm } from "./new-run-form";
import { TemplatesCard } from "./templates-card";

export function SynthesisHome() {
  const t = useTranslations("synthesis");
  const ts = useTranslations("sections.synthesis");
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const tj = useTranslations("jobs");
  const trpc = useTRPC();
  const runs = useQuery({ ...trpc.synthesis.list.queryOptions({ workspaceId: workspace.id }), refetchInterval: 3000 });
  // The empty state asks for documents only when there are none (#20 item 8); the form above shares this query.
  const datasets = useQuery(trpc.dataset.list.queryOptions({ workspaceId: workspace.id }));
  const hasDocuments = (datasets.data ?? []).some((d) => d.kind === "DOCUMENTS" && d.latest);
  return (
    <>
      <PageHeader title={ts("title")} description={ts("description")} />
      <div className="space-y-6">
        {canEdit ? <NewRunForm /> : null}
        {runs.data && runs.data.length === 0 ? (
          <EmptyState title={ts("emptyTitle")} body={hasDocuments ? ts("emptyBodyWithDocuments") : ts("emptyBody")} />
        ) : (
          <Card title={t("runs")}>
            <table className="w-full text-left text-sm" data-testid="synthesis-runs">
              <thead className="text-xs uppercase text-slate-500">
                <tr><th className="py-2">{t("name")}</th><th>{t("job")}</th><th>{t("pending")}</th><th>{t("accepted")}</th><th>{t("rejected")}</th><th>{t("created")}</th></tr>
              </thead>
              <tbody>
                {runs.data?.map((r) => (
                  <tr key={r.id} className="border-t border-slate-100">
                    <td className="py-2"><Link className="text-brand-600 underline" href={`/w/${workspace.slug}/synthesis/${r.id}`}>{r.name}</Link></td>
                    <td>{r.job ? <Badge value={r.job.status} label={tj(`status.${r.job.status}`)} /> : "—"}</td>
                    <td>{r.counts.PENDING ?? 0}</td>
                    <td>{r.counts.ACCEPTED ?? 0}</td>
                    <td>{r.counts.REJECTED ?? 0}</td>
                    <td className="text-xs text-slate-500">{relative(r.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
        {canEdit ? <LlmSettingsCard /> : null}
        {canEdit ? <TemplatesCard /> : null}
      </div>
    </>
  );
}
