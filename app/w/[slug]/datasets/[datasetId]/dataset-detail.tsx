"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useRelativeTime } from "../../../../_components/relative-time";
import Link from "next/link";
import { countsText } from "../counts-text";
import { Card, PageHeader } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

export function DatasetDetail({ datasetId }: { datasetId: string }) {
  const t = useTranslations("datasets");
  const format = useFormatter();
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const dataset = useQuery(trpc.dataset.get.queryOptions({ workspaceId: workspace.id, datasetId }));
  if (dataset.error) return <p role="alert" className="text-sm text-red-600">{dataset.error.message}</p>;
  if (!dataset.data) return null;
  const d = dataset.data;
  return (
    <>
      <PageHeader title={d.name} description={t(`kinds.${d.kind}`)} />
      <Card title={t("versions")}>
        <table className="w-full text-left text-sm" data-testid="versions">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-2">{t("version")}</th><th>{t("contents")}</th><th>{t("source")}</th><th>{t("qualityScore")}</th><th>{t("hash")}</th><th>{t("created")}</th></tr>
          </thead>
          <tbody>
            {d.versions.map((v) => (
              <tr key={v.id} className="border-t border-slate-100">
                <td className="py-2"><Link className="text-brand-600 underline" href={`/w/${workspace.slug}/datasets/${d.id}/v/${v.id}`}>v{v.number}</Link></td>
                <td className="text-xs" data-testid="version-contents">{countsText(v.counts, v.rowCount, (k) => t(`countNames.${k}`), format.number)}</td>
                <td className="text-xs">{t(`sources.${(v.source as { kind?: string }).kind ?? "import"}`)}</td>
                <td>{v.qualityScore ?? "—"}</td>
                <td className="font-mono text-xs text-slate-500">{v.contentHash.slice(0, 12)}</td>
                <td className="text-xs text-slate-500">{relative(v.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
