"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useJobMessage } from "../../../../_components/use-job-message";
import { Badge, Card, PageHeader, ProgressBar } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";
import { StorageCostTable } from "./storage-cost-table";
import { StoreReadme } from "./store-readme";

/** One index job: its progress while it runs; once done, each store's files to download, its README and the storage cost. */
export function IndexDetail({ jobId }: { jobId: string }) {
  const t = useTranslations("indexes");
  const tj = useTranslations("jobs");
  const message = useJobMessage();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const index = useQuery({
    ...trpc.indexes.get.queryOptions({ workspaceId: workspace.id, jobId }),
    refetchInterval: (q) => (q.state.data && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(q.state.data.status) ? false : 1500),
  });
  if (index.error) return <p role="alert" className="text-sm text-red-600">{index.error.message}</p>;
  if (!index.data) return null;
  const i = index.data;
  const m = i.manifest;
  const fileUrl = (store: string, file: string) => `/api/indexes/${encodeURIComponent(i.id)}/files/${store}/${encodeURIComponent(file)}?workspaceId=${encodeURIComponent(workspace.id)}`;
  return (
    <>
      <PageHeader
        title={i.name}
        description={m ? t("summary", { documents: m.documents, model: m.model, dim: m.dim }) : undefined}
        actions={<Link className="text-sm text-brand-600 underline" href={`/w/${workspace.slug}/indexes`}>{t("back")}</Link>}
      />
      <div className="space-y-6">
        <Card title={t("progressTitle")}>
          <div className="flex items-center gap-3">
            <Badge value={i.status} label={tj(`status.${i.status}`)} />
            <span className="text-sm" data-testid="index-status">{tj(`status.${i.status}`)} · {Math.round(i.progress * 100)}% · {i.error ?? message(i.progressMessage)}</span>
          </div>
          <div className="mt-2"><ProgressBar value={i.progress} /></div>
          {m && m.encodedBatches < m.totalBatches ? <p className="mt-2 text-xs text-slate-500">{t("resumed", { encoded: m.encodedBatches, total: m.totalBatches })}</p> : null}
        </Card>
        {m ? (
          <>
            <Card title={t("cost.title")}>
              <p className="mb-2 text-xs text-slate-500">{t("cost.explain")}</p>
              <StorageCostTable cost={m.storage} chosen={m.colbert} recall={m.colbertRecall ?? null} />
              {m.colbert && !m.colbertRecall ? <p className="mt-2 text-xs text-slate-500">{t("cost.recallLeftOut")}</p> : null}
            </Card>
            {m.stores.map((s) => (
              <Card key={s.store} title={t(`storeNames.${s.store}`)}>
                <ul className="mb-3 flex flex-wrap gap-3 text-sm" data-testid={`files-${s.store}`}>
                  {s.files.map((f) => (
                    <li key={f}><a className="font-mono text-brand-600 underline" href={fileUrl(s.store, f)} download data-testid={`download-${s.store}-${f}`}>{f}</a></li>
                  ))}
                </ul>
                {s.notes.length ? <ul className="mb-3 list-disc pl-5 text-xs text-amber-700">{s.notes.map((n) => <li key={n}>{n}</li>)}</ul> : null}
                {s.files.includes("README.md") ? <StoreReadme url={fileUrl(s.store, "README.md")} store={s.store} /> : null}
              </Card>
            ))}
          </>
        ) : null}
      </div>
    </>
  );
}
