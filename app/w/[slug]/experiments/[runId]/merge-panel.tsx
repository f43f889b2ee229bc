"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { DEFAULT_MERGE_WEIGHT } from "~/server/services/experiments/schema";
import { Card, Input } from "../../../../_components/ui";
import { SubmitButton } from "../../../../_components/submit-button";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";

/** "Merge with base" on a checkpoint row: W (the tuned share) by slider or number, default 0.5. Editors only. */
export function MergeControl({ checkpointId, onDone }: { checkpointId: string; onDone: () => void }) {
  const t = useTranslations("experiments.merge");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [weight, setWeight] = useState(DEFAULT_MERGE_WEIGHT);
  const merge = useMutation(trpc.experiment.merge.mutationOptions({ onSuccess: () => { setOpen(false); onDone(); } }));
  if (!canEdit) return null;
  if (!open) return <button type="button" className="text-brand-600 underline" onClick={() => setOpen(true)} data-testid={`merge-open-${checkpointId}`}>{t("action")}</button>;
  const valid = Number.isFinite(weight) && weight >= 0 && weight <= 1;
  return (
    <form
      className="mt-1 flex flex-wrap items-center gap-2 rounded border border-slate-200 p-2"
      onSubmit={(e) => { e.preventDefault(); if (valid) merge.mutate({ workspaceId: workspace.id, checkpointId, weight }); }}
      data-testid="merge-form"
    >
      <label className="flex items-center gap-1">
        <span>{t("weight")}</span>
        <input type="range" min={0} max={1} step={0.05} value={valid ? weight : DEFAULT_MERGE_WEIGHT} onChange={(e) => setWeight(Number(e.target.value))} aria-label={t("weight")} />
      </label>
      <span className="w-20"><Input type="number" min={0} max={1} step={0.01} value={String(weight)} onChange={(e) => setWeight(e.target.value === "" ? Number.NaN : Number(e.target.value))} aria-label={t("weight")} name="mergeWeight" /></span>
      <SubmitButton disabled={!valid || merge.isPending} data-testid="merge-submit">{t("submit")}</SubmitButton>
      <button type="button" className="text-slate-500 underline" onClick={() => setOpen(false)}>{t("close")}</button>
      <p className="w-full text-slate-500">{t("help")}</p>
      {merge.error ? <p className="w-full text-red-600" role="alert">{errorMessage(merge.error)}</p> : null}
    </form>
  );
}

interface Merges {
  merged: Array<{ id: string; step: number; mergeWeight: number | null; sourceCheckpointId: string | null; domainNdcg: number | null; generalNdcg: number | null }>;
  pending: Array<{ jobId: string; status: string; error: string | null; checkpointId: string; weight: number }>;
}

/** The run's merges with the base: scores on the domain and general-domain sets, links, and merges under way. */
export function MergedCheckpoints({ merges, steps, baseModelId }: { merges: Merges; steps: Map<string, number>; baseModelId: string }) {
  const t = useTranslations("experiments.merge");
  const te = useTranslations("experiments");
  const workspace = useWorkspace();
  return (
    <Card title={t("merged")}>
      {merges.pending.map((p) => (
        <p key={p.jobId} className={`text-sm ${p.status === "FAILED" ? "text-red-600" : "text-slate-600"}`} data-testid="merge-pending">
          {p.status === "FAILED" ? t("failed", { step: steps.get(p.checkpointId) ?? "?", weight: p.weight, error: p.error ?? "" }) : t("pending", { step: steps.get(p.checkpointId) ?? "?", weight: p.weight })}
        </p>
      ))}
      {merges.merged.length === 0 && merges.pending.length === 0 ? <p className="text-sm text-slate-500">{t("none")}</p> : null}
      {merges.merged.length ? (
        <table className="w-full text-left text-sm" data-testid="merged-checkpoints">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-2">{t("fromStep")}</th><th>W</th><th>{t("domainNdcg")}</th><th>{t("generalNdcg")}</th><th /></tr>
          </thead>
          <tbody>
            {merges.merged.map((m) => {
              const compare = `/w/${workspace.slug}/experiments/compare?s=${encodeURIComponent([`base:${baseModelId}`, m.sourceCheckpointId ? `ckpt:${m.sourceCheckpointId}` : null, `ckpt:${m.id}`].filter(Boolean).join(","))}`;
              return (
                <tr key={m.id} className="border-t border-slate-100">
                  <td className="py-2">{m.step}</td>
                  <td>{m.mergeWeight}</td>
                  <td>{m.domainNdcg?.toFixed(4) ?? "—"}</td>
                  <td>{m.generalNdcg?.toFixed(4) ?? "—"}</td>
                  <td className="space-x-2 text-xs">
                    <Link className="text-brand-600 underline" href={compare}>{te("compare")}</Link>
                    <a className="text-brand-600 underline" href={`/api/models/${m.id}/download?workspaceId=${workspace.id}`}>{te("download")}</a>
                    <a className="text-brand-600 underline" href={`/api/models/${m.id}/card?workspaceId=${workspace.id}`}>{te("modelCard")}</a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}
