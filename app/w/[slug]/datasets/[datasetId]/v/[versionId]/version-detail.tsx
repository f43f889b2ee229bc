"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button, Card, Input, PageHeader } from "../../../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../../../_components/workspace-context";
import { useTRPC } from "../../../../../../_trpc/react";
import { QualityPanel } from "./quality-panel";
import { RecordsTable } from "./records-table";
import { MineButton } from "./mine-button";

export function VersionDetail({ datasetId, versionId }: { datasetId: string; versionId: string }) {
  const t = useTranslations("datasets");
  const format = useFormatter();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const router = useRouter();
  const version = useQuery(trpc.dataset.version.queryOptions({ workspaceId: workspace.id, versionId }));
  const [ratios, setRatios] = useState({ train: 80, validation: 10, test: 10 });
  const goTo = (v: { id: string }) => router.push(`/w/${workspace.slug}/datasets/${datasetId}/v/${v.id}`);
  const split = useMutation(trpc.dataset.split.mutationOptions({ onSuccess: goTo }));
  const filter = useMutation(trpc.dataset.filter.mutationOptions({ onSuccess: goTo }));
  if (version.error) return <p role="alert" className="text-sm text-red-600">{version.error.message}</p>;
  if (!version.data) return null;
  const v = version.data;
  const types = [...new Set(v.splits.map((s) => s.type))];
  const hasSplits = v.splits.some((s) => s.split);
  const counts = v.counts as Record<string, number>;
  return (
    <>
      <PageHeader
        title={`${v.dataset.name} · v${v.number}`}
        description={`${t(`kinds.${v.dataset.kind}`)} · ${Object.entries(counts).map(([k, n]) => `${format.number(n)} ${t.has(`countNames.${k}`) ? t(`countNames.${k}`) : k}`).join(" · ")}`}
        actions={<Link className="text-sm text-brand-600 underline" href={`/w/${workspace.slug}/datasets/${datasetId}`}>{t("allVersions")}</Link>}
      />
      <div className="space-y-6">
        <Card title={t("splits.title")}>
          {hasSplits ? (
            <div className="flex flex-wrap items-center gap-4 text-sm" data-testid="split-summary">
              {v.splits.filter((s) => s.split).map((s) => (
                <span key={`${s.type}-${s.split}`}>{s.split}: {format.number(s.count)} {t(`records.types.${s.type}`)}</span>
              ))}
              {canEdit ? (["train", "validation", "test"] as const).map((name) => (
                <Button key={name} variant="secondary" onClick={() => filter.mutate({ workspaceId: workspace.id, versionId, split: name })}>{t("splits.only", { split: name })}</Button>
              )) : null}
            </div>
          ) : canEdit ? (
            <div className="flex flex-wrap items-end gap-3">
              {(["train", "validation", "test"] as const).map((name) => (
                <label key={name} className="w-28 text-xs">
                  <span className="mb-1 block text-slate-600">{name} %</span>
                  <Input type="number" min={0} max={100} value={ratios[name]} onChange={(e) => setRatios({ ...ratios, [name]: Number(e.target.value) })} />
                </label>
              ))}
              <Button onClick={() => split.mutate({ workspaceId: workspace.id, versionId, ratios, seed: "m3" })} disabled={split.isPending}>{t("splits.create")}</Button>
              <p className="w-full text-xs text-slate-500">{t("splits.hint")}</p>
            </div>
          ) : <p className="text-sm text-slate-500">{t("splits.none")}</p>}
          {split.error || filter.error ? <p role="alert" className="mt-2 text-sm text-red-600">{(split.error ?? filter.error)?.message}</p> : null}
        </Card>
        {canEdit && types.includes("pair") ? <Card title={t("mine.title")}><p className="mb-3 text-xs text-slate-500">{t("mine.hint")}</p><MineButton versionId={versionId} /></Card> : null}
        <QualityPanel versionId={versionId} kind={v.dataset.kind} quality={v.quality} />
        <RecordsTable versionId={versionId} types={types} />
      </div>
    </>
  );
}
