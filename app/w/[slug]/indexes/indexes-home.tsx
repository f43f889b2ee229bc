"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useJobMessage } from "../../../_components/use-job-message";
import { useRelativeTime } from "../../../_components/relative-time";
import { Badge, Card, EmptyState, PageHeader, ProgressBar } from "../../../_components/ui";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";
import { IndexForm } from "./index-form";

/** Indexes: the form that starts an "Index a corpus" job and the workspace's index jobs with their progress. */
export function IndexesHome() {
  const t = useTranslations("indexes");
  const tj = useTranslations("jobs");
  const message = useJobMessage();
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const indexes = useQuery({ ...trpc.indexes.list.queryOptions({ workspaceId: workspace.id }), refetchInterval: 2000 });
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="space-y-6">
        {canEdit ? <IndexForm /> : null}
        {indexes.data && indexes.data.length === 0 ? <EmptyState title={t("emptyTitle")} body={t("emptyBody")} /> : (
          <Card title={t("listTitle")}>
            <table className="w-full text-left text-sm" data-testid="indexes">
              <thead className="text-xs uppercase text-slate-500">
                <tr><th className="py-2">{t("name")}</th><th>{tj("statusLabel")}</th><th className="w-1/3">{tj("progress")}</th><th>{t("stores")}</th><th>{tj("created")}</th></tr>
              </thead>
              <tbody>
                {indexes.data?.map((i) => (
                  <tr key={i.id} className="border-t border-slate-100 align-top">
                    <td className="py-2"><Link className="text-brand-600 underline" href={`/w/${workspace.slug}/indexes/${i.id}`}>{i.name}</Link></td>
                    <td><Badge value={i.status} label={tj(`status.${i.status}`)} /></td>
                    <td className="pr-4">
                      <ProgressBar value={i.progress} />
                      <span className="text-xs text-slate-500">{i.error ?? message(i.progressMessage)}</span>
                    </td>
                    <td className="text-xs">{i.stores.map((s) => t(`storeNames.${s}`)).join(", ")}</td>
                    <td className="text-xs text-slate-500">{relative(i.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </div>
    </>
  );
}
