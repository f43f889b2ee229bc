"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useRelativeTime } from "../../../_components/relative-time";
import Link from "next/link";
import { countsText } from "./counts-text";
import { Card, EmptyState, PageHeader } from "../../../_components/ui";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";
import { MergeCard } from "./merge-card";

export function DatasetsList() {
  const t = useTranslations("datasets");
  const ts = useTranslations("sections.datasets");
  const format = useFormatter();
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const datasets = useQuery(trpc.dataset.list.queryOptions({ workspaceId: workspace.id }));
  const importLink = canEdit ? (
    <Link href={`/w/${workspace.slug}/datasets/import`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
      {t("import")}
    </Link>
  ) : null;
  return (
    <>
      <PageHeader title={ts("title")} description={ts("description")} actions={importLink} />
      {datasets.data && datasets.data.length === 0 ? (
        <EmptyState title={ts("emptyTitle")} body={ts("emptyBody")} action={importLink} />
      ) : (
        <Card>
          <table className="w-full text-left text-sm" data-testid="datasets">
            <thead className="text-xs uppercase text-slate-500">
              <tr><th className="py-2">{t("name")}</th><th>{t("kind")}</th><th>{t("latest")}</th><th>{t("contents")}</th><th>{t("updated")}</th></tr>
            </thead>
            <tbody>
              {datasets.data?.map((d) => (
                <tr key={d.id} className="border-t border-slate-100">
                  <td className="py-2"><Link className="text-brand-600 underline" href={`/w/${workspace.slug}/datasets/${d.id}`}>{d.name}</Link></td>
                  <td>{t(`kinds.${d.kind}`)}</td>
                  <td>{d.latest ? `v${d.latest.number}` : "—"}</td>
                  <td className="text-xs" data-testid="dataset-contents">{d.latest ? countsText(d.latest.counts, d.latest.rowCount, (k) => t(`countNames.${k}`), format.number) : "—"}</td>
                  <td className="text-xs text-slate-500">{relative(d.latest?.createdAt ?? d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {canEdit && datasets.data ? (
        <div className="mt-6"><MergeCard datasets={datasets.data.filter((d) => d.kind === "TRAINING" || d.kind === "RAG_LOG")} /></div>
      ) : null}
    </>
  );
}
