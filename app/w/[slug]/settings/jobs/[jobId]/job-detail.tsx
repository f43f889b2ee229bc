"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { Timing } from "../../../../../_components/timing";
import { useJobMessage } from "../../../../../_components/use-job-message";
import { Badge, Card, ProgressBar } from "../../../../../_components/ui";
import { useWorkspace } from "../../../../../_components/workspace-context";
import { useTRPC } from "../../../../../_trpc/react";

export function JobDetail({ jobId }: { jobId: string }) {
  const t = useTranslations("jobs");
  const format = useFormatter();
  const message = useJobMessage();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const job = useQuery({ ...trpc.job.get.queryOptions({ workspaceId: workspace.id, jobId }), refetchInterval: 1500 });
  if (job.error) return <p role="alert" className="text-sm text-red-600">{job.error.message}</p>;
  if (!job.data) return null;
  const j = job.data;
  return (
    <div className="space-y-6">
      <Card title={`${t.has(`types.${j.type}`) ? t(`types.${j.type}`) : j.type} · ${j.id}`} actions={<Badge value={j.status} label={t(`status.${j.status}`)} />}>
        <ProgressBar value={j.progress} />
        <div className="mt-2"><Timing startedAt={j.startedAt} finishedAt={j.finishedAt} testId="job-timing" /></div>
        <dl className="mt-4 grid grid-cols-2 gap-2 text-sm md:grid-cols-4">
          <div><dt className="text-xs text-slate-500">{t("attempts")}</dt><dd>{j.attempts}/{j.maxAttempts}</dd></div>
          <div><dt className="text-xs text-slate-500">{t("created")}</dt><dd>{format.dateTime(j.createdAt, { dateStyle: "short", timeStyle: "medium" })}</dd></div>
          <div><dt className="text-xs text-slate-500">{t("worker")}</dt><dd className="truncate">{j.lockedBy ?? "—"}</dd></div>
          <div><dt className="text-xs text-slate-500">{t("message")}</dt><dd>{j.progressMessage ? message(j.progressMessage) : "—"}</dd></div>
        </dl>
        {j.lastError ? <pre className="mt-4 whitespace-pre-wrap rounded bg-red-50 p-3 text-xs text-red-800">{j.lastError}</pre> : null}
      </Card>
      <Card title={t("logs")}>
        <pre className="max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100" data-testid="job-logs">
          {j.logs.length === 0 ? t("noLogs") : j.logs.map((l) => `${new Date(l.createdAt).toISOString()} ${l.level.toUpperCase()} ${l.message}`).join("\n")}
        </pre>
      </Card>
      <Card title={t("payload")}>
        <pre className="overflow-auto text-xs">{JSON.stringify(j.payload, null, 2)}</pre>
      </Card>
    </div>
  );
}
