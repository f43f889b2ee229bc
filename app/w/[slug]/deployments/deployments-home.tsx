"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../_components/relative-time";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Badge, Card, EmptyState, Field, Input, PageHeader, Select } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { useModelLabel } from "../../../_components/use-model-label";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";
import { ApiKeysCard } from "./api-keys-card";
import { SplitsCard } from "./splits-card";

export const STATUS_BADGE: Record<string, string> = { PENDING: "QUEUED", STARTING: "RUNNING", AWAITING_APPROVAL: "RUNNING", LIVE: "SUCCEEDED", FAILED: "FAILED", STOPPED: "CANCELLED" };
type Precision = "fp32" | "int8" | "fp16";

export function DeploymentsHome() {
  const t = useTranslations("deployments");
  const ts = useTranslations("sections.deployments");
  const relative = useRelativeTime();
  const modelLabel = useModelLabel();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const router = useRouter();
  const deployments = useQuery({ ...trpc.deployment.list.queryOptions({ workspaceId: workspace.id }), refetchInterval: 2000 });
  const models = useQuery(trpc.deployment.models.queryOptions({ workspaceId: workspace.id }));
  const options = useQuery(trpc.deployment.options.queryOptions({ workspaceId: workspace.id }));
  const [model, setModel] = useState(0);
  const [precision, setPrecision] = useState<Precision>("fp32");
  const fp16 = options.data?.precisions.find((p) => p.precision === "fp16");
  const create = useMutation(trpc.deployment.create.mutationOptions({ onSuccess: (d) => router.push(`/w/${workspace.slug}/deployments/${d.id}`) }));
  const errors = fieldErrors(create.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const chosen = models.data?.[model];
    if (!chosen) return;
    const evalVersionId = String(f.get("evalVersionId") ?? "");
    create.mutate({
      workspaceId: workspace.id, name: String(f.get("name") ?? ""), model: chosen.ref, acceptFeedback: f.get("feedback") === "on",
      precision, replicas: Number(f.get("replicas") ?? 1), evalVersionId: precision === "int8" && evalVersionId ? evalVersionId : null,
    });
  }

  return (
    <>
      <PageHeader title={ts("title")} description={ts("description")} />
      <div className="space-y-6">
        {canEdit ? (
          <Card title={t("deployTitle")}>
            {models.data && models.data.length === 0 ? <p className="text-sm text-slate-600">{t("noModels")}</p> : (
              <form onSubmit={submit} className="flex flex-wrap items-end gap-3" noValidate>
                <Field label={t("name")} error={errors.name}><Input name="name" defaultValue="embeddings" /></Field>
                <Field label={t("model")}>
                  <Select value={model} onChange={(e) => setModel(Number(e.target.value))} aria-label={t("model")}>
                    {models.data?.map((m, i) => <option key={i} value={i}>{modelLabel(m.labelParts)}</option>)}
                  </Select>
                </Field>
                <Field label={t("precision")} error={errors.precision}>
                  <Select value={precision} onChange={(e) => setPrecision(e.target.value as Precision)} aria-label={t("precision")}>
                    {(["fp32", "int8", "fp16"] as const).map((p) => (
                      <option key={p} value={p} disabled={p === "fp16" && !fp16?.available}>{t(`precisions.${p}`)}</option>
                    ))}
                  </Select>
                </Field>
                {precision === "int8" ? (
                  <Field label={t("evalVersion")} error={errors.evalVersionId}>
                    <Select name="evalVersionId" aria-label={t("evalVersion")} defaultValue={options.data?.evalVersions[0]?.id ?? ""}>
                      <option value="">{t("evalDefault")}</option>
                      {options.data?.evalVersions.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
                    </Select>
                  </Field>
                ) : null}
                <Field label={t("replicas")} error={errors.replicas}><Input name="replicas" type="number" min={1} max={8} defaultValue={1} /></Field>
                <label className="flex items-center gap-2 text-sm"><input type="checkbox" name="feedback" /> {t("acceptFeedback")}</label>
                {/* Until the model list loads, a click would deploy nothing and say nothing (seen on a loaded machine). */}
                <SubmitButton disabled={create.isPending || !models.data?.length}>{t("deploy")}</SubmitButton>
              </form>
            )}
            <p className="mt-2 text-xs text-slate-500" data-testid="precision-hint">
              {precision === "int8" ? t("int8Hint") : fp16 && !fp16.available ? t("fp16Unavailable") : null} {t("replicasHint")}
            </p>
            {errorMessage(create.error) ? <p role="alert" className="mt-2 text-sm text-red-600">{errorMessage(create.error)}</p> : null}
          </Card>
        ) : null}
        {deployments.data && deployments.data.length === 0 ? <EmptyState title={ts("emptyTitle")} body={ts("emptyBody")} /> : (
          <Card title={t("listTitle")}>
            <table className="w-full text-left text-sm" data-testid="deployments">
              <thead className="text-xs uppercase text-slate-500">
                <tr><th className="py-2">{t("name")}</th><th>{t("status")}</th><th>{t("model")}</th><th>URL</th><th>{t("updated")}</th></tr>
              </thead>
              <tbody>
                {deployments.data?.map((d) => (
                  <tr key={d.id} className="border-t border-slate-100">
                    <td className="py-2"><Link className="text-brand-600 underline" href={`/w/${workspace.slug}/deployments/${d.id}`}>{d.name}</Link></td>
                    <td><Badge value={STATUS_BADGE[d.status] ?? d.status} label={t(`statuses.${d.status}`)} /></td>
                    <td className="text-xs">{modelLabel(d.modelLabel)} · {d.quantization}{d.replicas > 1 ? ` · ×${d.replicas}` : ""}</td>
                    <td className="font-mono text-xs">{d.url ?? "—"}</td>
                    <td className="text-xs text-slate-500">{relative(d.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
        <SplitsCard deployments={deployments.data ?? []} />
        {canEdit ? <ApiKeysCard /> : null}
      </div>
    </>
  );
}
