"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { Button } from "../../../../../../_components/ui";
import { useJobMessage } from "../../../../../../_components/use-job-message";
import { useWorkspace } from "../../../../../../_components/workspace-context";
import { useTRPC } from "../../../../../../_trpc/react";

/** Hard-negative mining with the base model; the result is a new version. */
export function MineButton({ versionId }: { versionId: string }) {
  const t = useTranslations("datasets.mine");
  const message = useJobMessage();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const mine = useMutation(trpc.dataset.mineNegatives.mutationOptions());
  const job = useQuery({
    ...trpc.job.get.queryOptions({ workspaceId: workspace.id, jobId: mine.data?.id ?? "00000000-0000-0000-0000-000000000000" }),
    enabled: !!mine.data,
    refetchInterval: (q) => (q.state.data && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(q.state.data.status) ? false : 1500),
  });
  const result = job.data?.result as { datasetId?: string; versionId?: string; number?: number } | null | undefined;
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <Button variant="secondary" onClick={() => mine.mutate({ workspaceId: workspace.id, versionId })} disabled={mine.isPending || (!!job.data && job.data.status === "RUNNING")}>{t("button")}</Button>
      {job.data && job.data.status !== "SUCCEEDED" ? <span className="text-xs text-slate-500">{job.data.status === "FAILED" ? job.data.lastError : (job.data.progressMessage ? message(job.data.progressMessage) : t("queued"))}</span> : null}
      {job.data?.status === "SUCCEEDED" && result?.versionId ? (
        <Link className="text-brand-600 underline" href={`/w/${workspace.slug}/datasets/${result.datasetId}/v/${result.versionId}`}>{t("open", { version: result.number ?? "" })}</Link>
      ) : null}
      {mine.error ? <span role="alert" className="text-red-600">{mine.error.message}</span> : null}
    </div>
  );
}
