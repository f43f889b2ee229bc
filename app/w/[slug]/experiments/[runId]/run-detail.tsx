"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { Badge, Button, Card, Input, PageHeader, ProgressBar } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";
import { LineChart } from "../../../../_components/charts/line-chart";
import { Timing } from "../../../../_components/timing";
import { ResourceCharts } from "./resource-charts";
import { CommentsPanel } from "../_components/comments-panel";
import { RunNote } from "./run-note";
import { MergeControl, MergedCheckpoints } from "./merge-panel";

const CHARTS: Array<{ key: string; series: string[] }> = [
  { key: "loss", series: ["loss", "loss_dense", "loss_sparse", "loss_colbert", "loss_ensemble"] },
  { key: "lr", series: ["lr"] },
  { key: "gradNorm", series: ["grad_norm"] },
  { key: "throughput", series: ["samples_per_s"] },
  // "accuracy" is the trainer's per-step in-batch accuracy on training batches (losses/m3.py), not validation:
  // it gets its own chart; "validation" shows only when the run had validation groups (train.py evaluate()).
  { key: "trainAccuracy", series: ["accuracy"] },
  { key: "validation", series: ["val_loss", "val_accuracy"] },
  { key: "memory", series: ["peak_mem_mb"] },
];

function duration(seconds: number) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

export function RunDetail({ experimentId }: { experimentId: string }) {
  const t = useTranslations("experiments");
  const format = useFormatter();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const qc = useQueryClient();
  const input = { workspaceId: workspace.id, experimentId };
  const detail = useQuery({ ...trpc.experiment.get.queryOptions(input), refetchInterval: (q) => (q.state.data && (["QUEUED", "RUNNING"].includes(q.state.data.run.status) || q.state.data.merges.pending.some((p) => p.status !== "FAILED")) ? 1500 : 10_000) });
  const live = detail.data ? ["QUEUED", "RUNNING"].includes(detail.data.run.status) : true;
  const metrics = useQuery({ ...trpc.experiment.metrics.queryOptions({ workspaceId: workspace.id, experimentIds: [experimentId] }), refetchInterval: live ? 2000 : false });
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.experiment.get.queryKey(input) });
  const cancel = useMutation(trpc.experiment.cancel.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.experiment.resume.mutationOptions({ onSuccess: refresh }));
  if (!detail.data) return <p className="text-sm text-slate-500">{t("loading")}</p>;
  const { run, checkpoints, baseModel, logs, job, worker, trainVersion, evalVersion, generalEvalVersion, merges } = detail.data;
  const series = new Map((metrics.data ?? []).map((s) => [s.name, s.points]));
  const compareHref = `/w/${workspace.slug}/experiments/compare?s=${encodeURIComponent([`base:${run.baseModelId}`, ...checkpoints.map((c) => `ckpt:${c.id}`), ...merges.merged.map((m) => `ckpt:${m.id}`)].slice(0, 12).join(","))}`;
  const caps = worker?.capabilities as { gpus?: Array<{ name: string; memoryMb?: number }>; cpus?: number } | undefined;
  const actions = (
    <div className="flex gap-2">
      {canEdit && (run.status === "RUNNING" || run.status === "QUEUED") ? <Button variant="danger" onClick={() => cancel.mutate(input)} disabled={cancel.isPending || run.phase === "cancelling"} data-testid="cancel-run">{t("cancel")}</Button> : null}
      {canEdit && (run.status === "CANCELLED" || run.status === "FAILED") ? <Button onClick={() => resume.mutate(input)} disabled={resume.isPending} data-testid="resume-run">{t("resume")}</Button> : null}
      {canEdit ? <Link className="rounded-md border border-slate-300 px-3 py-1.5 text-sm" href={`/w/${workspace.slug}/experiments/new?from=${run.id}`}>{t("clone")}</Link> : null}
      <Link className="rounded-md border border-slate-300 px-3 py-1.5 text-sm" href={compareHref} data-testid="open-compare">{t("compare")}</Link>
    </div>
  );
  return (
    <>
      <PageHeader title={run.name} description={`${baseModel?.name ?? ""} · ${trainVersion?.dataset.name ?? ""} v${trainVersion?.number ?? ""}${evalVersion ? ` → ${evalVersion.dataset.name} v${evalVersion.number}` : ""}${generalEvalVersion ? ` + ${generalEvalVersion.dataset.name} v${generalEvalVersion.number}` : ""}`} actions={actions} />
      {errorMessage(cancel.error ?? resume.error) ? <p className="mb-3 text-sm text-red-600">{errorMessage(cancel.error ?? resume.error)}</p> : null}
      <RunNote experimentId={run.id} />
      <Card title={t("progress")}>
        <div className="flex items-center gap-3 text-sm" data-testid="run-status">
          <Badge value={run.status} label={t(`statuses.${run.status}`)} />
          {run.phase ? <span className="text-slate-600">{t.has(`phases.${run.phase}`) ? t(`phases.${run.phase}`) : run.phase}</span> : null}
          <span data-testid="run-step">{t("stepOf", { step: run.lastStep, total: run.totalSteps ?? "?" })}</span>
          {run.etaSeconds != null && run.status === "RUNNING" ? <span>{t("eta", { time: duration(run.etaSeconds) })}</span> : null}
          {worker ? <span className="text-xs text-slate-500">{worker.host}{caps?.gpus?.length ? ` · ${caps.gpus.length}× ${caps.gpus[0]!.name}` : " · CPU"}</span> : null}
        </div>
        <div className="mt-2"><ProgressBar value={run.progress} /></div>
        <div className="mt-1"><Timing startedAt={run.startedAt} finishedAt={run.finishedAt} testId="run-timing" /></div>
        {run.error ? <p className="mt-2 text-sm text-red-600">{run.error}</p> : null}
        {job?.lastError && run.status !== "SUCCEEDED" ? <p className="mt-1 text-xs text-red-500">{job.lastError}</p> : null}
      </Card>
      <div className="my-4 grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3" data-testid="charts">
        {CHARTS.map((c) => {
          const s = c.series.filter((n) => series.has(n)).map((n) => ({ label: t.has(`series.${n}`) ? t(`series.${n}`) : n, points: series.get(n)! }));
          if (s.length === 0 && c.key !== "loss") return null;
          return <LineChart key={c.key} title={t(`charts.${c.key}`)} series={s} testId={`chart-${c.key}`} />;
        })}
      </div>
      <ResourceCharts series={series} />
      <Card title={t("checkpoints")}>
        <table className="w-full text-left text-sm" data-testid="checkpoints">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-2">{t("step")}</th><th>nDCG@10</th><th>MRR@10</th><th>Recall@10</th><th>{t("tags")}</th><th /></tr>
          </thead>
          <tbody>
            {checkpoints.map((c) => {
              const m = (c.metrics as Record<string, Record<string, number>> | null)?.dense;
              return (
                <tr key={c.id} className="border-t border-slate-100">
                  <td className="py-2">{c.step} {c.isBest ? <Badge value="SUCCEEDED" label={t("best")} /> : null}</td>
                  <td>{m?.["ndcg@10"]?.toFixed(4) ?? "—"}</td><td>{m?.["mrr@10"]?.toFixed(4) ?? "—"}</td><td>{m?.["recall@10"]?.toFixed(4) ?? "—"}</td>
                  <td><TagEditor checkpoint={c} onDone={refresh} /></td>
                  <td className="space-x-2 text-xs">
                    <a className="text-brand-600 underline" href={`/api/models/${c.id}/download?workspaceId=${workspace.id}`}>{t("download")}</a>
                    <a className="text-brand-600 underline" href={`/api/models/${c.id}/card?workspaceId=${workspace.id}`}>{t("modelCard")}</a>
                    <MergeControl checkpointId={c.id} onDone={refresh} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      <div className="mt-4"><MergedCheckpoints merges={merges} steps={new Map(checkpoints.map((c) => [c.id, c.step]))} baseModelId={run.baseModelId} /></div>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card title={t("config")}>
          <pre className="max-h-96 overflow-auto text-xs" data-testid="run-config">{JSON.stringify(run.config, null, 2)}</pre>
        </Card>
        <Card title={t("logTail")}>
          <div className="max-h-96 overflow-auto font-mono text-xs" data-testid="log-tail">
            {logs.map((l) => <div key={l.id} className={l.level === "error" ? "text-red-600" : l.level === "warn" ? "text-amber-700" : ""}>{format.dateTime(new Date(l.createdAt), { timeStyle: "medium" })} {l.message}</div>)}
          </div>
        </Card>
      </div>
      <div className="mt-4"><CommentsPanel target={{ kind: "run", experimentId: run.id }} /></div>
    </>
  );
}

function TagEditor({ checkpoint, onDone }: { checkpoint: { id: string; tags: string[]; aliases: string[] }; onDone: () => void }) {
  const t = useTranslations("experiments");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const [value, setValue] = useState([...checkpoint.tags, ...checkpoint.aliases.map((a) => `@${a}`)].join(" "));
  const tag = useMutation(trpc.model.tagCheckpoint.mutationOptions({ onSuccess: onDone }));
  if (!canEdit) return <span className="text-xs">{value || "—"}</span>;
  const save = () => {
    const parts = value.split(/[\s,]+/).filter(Boolean);
    tag.mutate({ workspaceId: workspace.id, checkpointId: checkpoint.id, tags: parts.filter((p) => !p.startsWith("@")), aliases: parts.filter((p) => p.startsWith("@")).map((p) => p.slice(1)) });
  };
  return (
    <span className="flex items-center gap-1">
      <span className="w-48"><Input value={value} onChange={(e) => setValue(e.target.value)} placeholder={t("tagsHint")} aria-label={t("tags")} /></span>
      <button type="button" className="text-xs text-brand-600 underline" onClick={save}>{t("save")}</button>
      {tag.error ? <span className="text-xs text-red-600">{errorMessage(tag.error)}</span> : null}
    </span>
  );
}
