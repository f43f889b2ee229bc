"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import type { FormEvent } from "react";
import { Card, Field, Input, Select } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

/** A/B experiment endpoints of the workspace: the list and a form to split traffic between two deployments. */
export function SplitsCard({ deployments }: { deployments: { id: string; name: string }[] }) {
  const t = useTranslations("deployments.splits");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const splits = useQuery(trpc.deployment.splits.queryOptions({ workspaceId: workspace.id }));
  const create = useMutation(trpc.deployment.createSplit.mutationOptions({
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.deployment.splits.queryKey({ workspaceId: workspace.id }) }),
  }));
  const errors = fieldErrors(create.error);
  const name = new Map(deployments.map((d) => [d.id, d.name]));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    create.mutate({
      workspaceId: workspace.id, name: String(f.get("name") ?? ""), deploymentAId: String(f.get("a") ?? ""),
      deploymentBId: String(f.get("b") ?? ""), weightB: Number(f.get("weightB") ?? 50),
    });
  }

  return (
    <Card title={t("title")}>
      <p className="mb-3 text-xs text-slate-500">{t("explain")}</p>
      {canEdit && deployments.length >= 2 ? (
        <form onSubmit={submit} className="mb-4 flex flex-wrap items-end gap-3" noValidate>
          <Field label={t("name")} error={errors.name}><Input name="name" defaultValue="ab-test" /></Field>
          <Field label={t("a")}>
            <Select name="a" aria-label={t("a")} defaultValue={deployments[1]?.id}>{deployments.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}</Select>
          </Field>
          <Field label={t("b")} error={errors.deploymentBId}>
            <Select name="b" aria-label={t("b")} defaultValue={deployments[0]?.id}>{deployments.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}</Select>
          </Field>
          <Field label={t("weightB")} error={errors.weightB}><Input name="weightB" type="number" min={0} max={100} defaultValue={50} /></Field>
          <SubmitButton disabled={create.isPending}>{t("create")}</SubmitButton>
        </form>
      ) : null}
      {errorMessage(create.error) && !Object.keys(errors).length ? <p role="alert" className="mb-2 text-sm text-red-600">{errorMessage(create.error)}</p> : null}
      {splits.data && splits.data.length === 0 ? <p className="text-sm text-slate-600">{t("none")}</p> : (
        <ul className="space-y-1 text-sm" data-testid="splits">
          {splits.data?.map((s) => (
            <li key={s.id}>
              <Link className="text-brand-600 underline" href={`/w/${workspace.slug}/deployments/splits/${s.id}`}>{s.name}</Link>
              <span className="ml-2 text-xs text-slate-500">A {name.get(s.deploymentAId) ?? "?"} {100 - s.weightB}% · B {name.get(s.deploymentBId) ?? "?"} {s.weightB}%</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
