"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../_components/relative-time";
import Link from "next/link";
import { useState } from "react";
import { Badge, Card, EmptyState, Field, Input, PageHeader, ProgressBar } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { DurationText } from "../../../_components/timing";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

export function ExperimentsHome() {
  const t = useTranslations("experiments");
  const ts = useTranslations("sections.experiments");
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const runs = useQuery({ ...trpc.experiment.list.queryOptions({ workspaceId: workspace.id }), refetchInterval: 3000 });
  const [selected, setSelected] = useState<string[]>([]);
  const newLink = canEdit ? (
    <Link href={`/w/${workspace.slug}/experiments/new`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700" data-testid="new-run">
      {t("newRun")}
    </Link>
  ) : null;
  const groups = new Map(runs.data?.groups.map((g) => [g.id, g.name]) ?? []);
  const compareHref = `/w/${workspace.slug}/experiments/compare?s=${encodeURIComponent(selected.map((id) => `run:${id}`).join(","))}`;
  return (
    <>
      <PageHeader title={ts("title")} description={ts("description")} actions={newLink} />
      <ModelsCard />
      {runs.data && runs.data.runs.length === 0 ? (
        <EmptyState title={ts("emptyTitle")} body={ts("emptyBody")} />
      ) : (
        <Card title={t("runs")} actions={selected.length > 0 ? <Link className="text-sm text-brand-600 underline" href={compareHref} data-testid="compare-selected">{t("compareSelected", { count: selected.length })}</Link> : null}>
          <table className="w-full text-left text-sm" data-testid="runs">
            <thead className="text-xs uppercase text-slate-500">
              <tr><th /><th className="py-2">{t("name")}</th><th>{t("status")}</th><th>{t("preset")}</th><th>{t("progress")}</th><th>{t("bestNdcg")}</th><th>{t("group")}</th><th>{t("started")}</th><th>{t("duration")}</th></tr>
            </thead>
            <tbody>
              {runs.data?.runs.map((r) => (
                <tr key={r.id} className="border-t border-slate-100">
                  <td><input type="checkbox" aria-label={t("select")} checked={selected.includes(r.id)} onChange={(e) => setSelected(e.target.checked ? [...selected, r.id] : selected.filter((x) => x !== r.id))} /></td>
                  <td className="py-2"><Link className="text-brand-600 underline" href={`/w/${workspace.slug}/experiments/${r.id}`}>{r.name}</Link></td>
                  <td><Badge value={r.status} label={t(`statuses.${r.status}`)} /></td>
                  <td>{t(`presets.${r.preset}`)}</td>
                  <td className="w-40"><ProgressBar value={r.progress} /><span className="text-xs text-slate-500">{r.lastStep}/{r.totalSteps ?? "?"}</span></td>
                  <td>{(r.best?.metrics as Record<string, Record<string, number>> | null)?.dense?.["ndcg@10"]?.toFixed(4) ?? "—"}</td>
                  <td className="text-xs">{r.groupId ? groups.get(r.groupId) : "—"}</td>
                  <td className="text-xs text-slate-500" title={t("created")}>{relative(r.startedAt ?? r.createdAt)}</td>
                  <td className="text-xs text-slate-500" data-testid="run-duration"><DurationText startedAt={r.startedAt} finishedAt={r.finishedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}

function ModelsCard() {
  const t = useTranslations("models");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const qc = useQueryClient();
  const models = useQuery(trpc.model.list.queryOptions({ workspaceId: workspace.id }));
  const [name, setName] = useState("");
  const [dir, setDir] = useState("");
  const register = useMutation(trpc.model.register.mutationOptions({
    onSuccess: () => {
      setName("");
      setDir("");
      void qc.invalidateQueries({ queryKey: trpc.model.list.queryKey() });
    },
  }));
  const errors = fieldErrors(register.error);
  return (
    <Card title={t("title")}>
      <table className="w-full text-left text-sm" data-testid="models">
        <thead className="text-xs uppercase text-slate-500">
          <tr><th className="py-2">{t("name")}</th><th>{t("architecture")}</th><th>{t("dim")}</th><th>{t("layers")}</th><th>{t("maxLength")}</th><th>{t("parameters")}</th><th>{t("dir")}</th></tr>
        </thead>
        <tbody>
          {models.data?.map((m) => (
            <tr key={m.id} className="border-t border-slate-100">
              <td className="py-2">{m.name}</td><td>{m.architecture}</td><td>{m.dim}</td><td>{m.layers}</td><td>{m.maxLength}</td>
              <td>{(m.parameters / 1e6).toFixed(1)}M</td><td className="font-mono text-xs">{m.dir ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canEdit ? (
        <form className="mt-3 flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); register.mutate({ workspaceId: workspace.id, name, dir }); }}>
          <Field label={t("name")} error={errors.name}><Input value={name} onChange={(e) => setName(e.target.value)} name="model-name" /></Field>
          <div className="w-[32rem]"><Field label={t("dir")} error={errors.dir} hint={t("dirHint")}><Input value={dir} onChange={(e) => setDir(e.target.value)} name="model-dir" /></Field></div>
          <SubmitButton disabled={register.isPending}>{t("register")}</SubmitButton>
          {errorMessage(register.error) && !errors.dir && !errors.name ? <p className="text-sm text-red-600">{errorMessage(register.error)}</p> : null}
        </form>
      ) : null}
    </Card>
  );
}
