"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { Card, Select } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { useWorkspace } from "../../../_components/workspace-context";
import { errorMessage } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

export function TemplatesCard() {
  const t = useTranslations("synthesis.templates");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const templates = useQuery(trpc.synthesis.templates.queryOptions({ workspaceId: workspace.id }));
  const [selected, setSelected] = useState("medical-zh");
  const save = useMutation(trpc.synthesis.saveTemplate.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.synthesis.templates.queryKey() }) }));
  const template = templates.data?.find((x) => x.id === selected);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!template) return;
    const f = new FormData(event.currentTarget);
    save.mutate({ workspaceId: workspace.id, domain: template.domain, language: template.language, system: String(f.get("system") ?? ""), user: String(f.get("user") ?? "") });
  }

  return (
    <Card title={t("title")} actions={
      <Select aria-label={t("choose")} value={selected} onChange={(e) => setSelected(e.target.value)}>
        {templates.data?.map((x) => <option key={x.id} value={x.id}>{x.domain} · {x.language}{x.edited ? " *" : ""}</option>)}
      </Select>
    }>
      {template ? (
        <form onSubmit={submit} className="space-y-3" key={template.id + template.user}>
          <label className="block text-xs font-medium text-slate-600">{t("system")}<textarea name="system" defaultValue={template.system} rows={2} className="mt-1 w-full rounded border border-slate-300 p-2 text-sm" /></label>
          <label className="block text-xs font-medium text-slate-600">{t("user")}<textarea name="user" defaultValue={template.user} rows={5} className="mt-1 w-full rounded border border-slate-300 p-2 font-mono text-xs" /></label>
          <p className="text-xs text-slate-500">{t("placeholders")}</p>
          {errorMessage(save.error) ? <p role="alert" className="text-sm text-red-600">{errorMessage(save.error)}</p> : null}
          <SubmitButton variant="secondary" disabled={save.isPending}>{t("save")}</SubmitButton>
        </form>
      ) : null}
    </Card>
  );
}
