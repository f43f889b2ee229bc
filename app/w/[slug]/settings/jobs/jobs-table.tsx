"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { DurationText } from "../../../../_components/timing";
import { useJobMessage } from "../../../../_components/use-job-message";
import { Badge, Button, Card, EmptyState, ProgressBar, Select } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

const STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;

export function JobsTable() {
  const t = useTranslations("jobs");
  const format = useFormatter();
  const message = useJobMessage();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  // The queue test holds a worker slot for a while: owners only (job.enqueueTest refuses everyone else).
  const canTestQueue = useCan("OWNER");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<(typeof STATUSES)[number] | "">("");
  const jobs = useQuery({
    ...trpc.job.list.queryOptions({ workspaceId: workspace.id, status: status || undefined }),
    refetchInterval: 1500,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.job.list.queryKey() });
  const cancel = useMutation(trpc.job.cancel.mutationOptions({ onSettled: refresh }));
  const retry = useMutation(trpc.job.retry.mutationOptions({ onSettled: refresh }));
  const test = useMutation(trpc.job.enqueueTest.mutationOptions({ onSettled: refresh }));
  const error = cancel.error ?? retry.error ?? test.error;

  return (
    <Card
      title={t("title")}
      actions={
        <div className="flex items-center gap-2">
          <Select aria-label={t("filter")} value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            <option value="">{t("all")}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </Select>
          {canTestQueue ? <Button variant="secondary" onClick={() => test.mutate({ workspaceId: workspace.id, seconds: 20 })}>{t("testQueue")}</Button> : null}
        </div>
      }
    >
      {error ? <p role="alert" className="mb-2 text-sm text-red-600">{error.message}</p> : null}
      {jobs.data && jobs.data.length === 0 ? (
        <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
      ) : (
        <table className="w-full text-left text-sm" data-testid="jobs">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-2">{t("type")}</th>
              <th>{t("statusLabel")}</th>
              <th className="w-48">{t("progress")}</th>
              <th>{t("attempts")}</th>
              <th>{t("created")}</th>
              <th>{t("duration")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {jobs.data?.map((job) => (
              <tr key={job.id} className="border-t border-slate-100 align-middle">
                <td className="py-2">
                  <Link className="text-brand-600 underline" href={`/w/${workspace.slug}/settings/jobs/${job.id}`}>{t.has(`types.${job.type}`) ? t(`types.${job.type}`) : job.type} <code className="text-xs text-slate-400">{job.type}</code></Link>
                </td>
                <td><Badge value={job.status} label={t(`status.${job.status}`)} /></td>
                <td>
                  <ProgressBar value={job.progress} />
                  <div className="mt-1 truncate text-xs text-slate-500">{message(job.progressMessage ?? job.lastError)}</div>
                </td>
                <td>{job.attempts}/{job.maxAttempts}</td>
                <td className="text-xs text-slate-500">{format.relativeTime(job.createdAt)}</td>
                <td className="text-xs text-slate-500" data-testid="job-duration"><DurationText startedAt={job.startedAt} finishedAt={job.finishedAt} /></td>
                <td className="space-x-2 text-right">
                  {canEdit && (job.status === "QUEUED" || job.status === "RUNNING") ? (
                    <Button variant="secondary" onClick={() => cancel.mutate({ workspaceId: workspace.id, jobId: job.id })}>{t("cancel")}</Button>
                  ) : null}
                  {canEdit && job.retryable ? (
                    <Button variant="secondary" onClick={() => retry.mutate({ workspaceId: workspace.id, jobId: job.id })}>{t("retry")}</Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
