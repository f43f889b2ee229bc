"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { Card, Field, Input } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { useCan, useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

/** The workspace's OpenAI-compatible endpoint. The key is write-only: never shown again. */
export function LlmSettingsCard() {
  const t = useTranslations("synthesis.llm");
  const workspace = useWorkspace();
  const isOwner = useCan("OWNER");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.synthesis.llmSettings.queryOptions({ workspaceId: workspace.id }));
  const save = useMutation(trpc.synthesis.saveLlmSettings.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.synthesis.llmSettings.queryKey() }) }));
  const errors = fieldErrors(save.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const key = String(f.get("apiKey") ?? "");
    // Reset only on success: a refused save (e.g. a new host without its key) keeps what was typed.
    save.mutate({ workspaceId: workspace.id, baseUrl: String(f.get("baseUrl") ?? ""), model: String(f.get("model") ?? ""), ...(key ? { apiKey: key } : {}) }, { onSuccess: () => form.reset() });
  }

  if (settings.isLoading) return null;
  return (
    <Card title={t("title")}>
      <p className="mb-3 text-xs text-slate-500">{settings.data ? t("configured", { model: settings.data.model, key: settings.data.hasKey ? t("keyStored") : t("noKey") }) : t("offline")}</p>
      {isOwner ? (
        <form onSubmit={submit} className="grid gap-3 md:grid-cols-3" noValidate key={settings.data?.updatedAt?.toString()}>
          <Field label={t("baseUrl")} error={errors.baseUrl}><Input name="baseUrl" defaultValue={settings.data?.baseUrl ?? "https://api.openai.com/v1"} /></Field>
          <Field label={t("model")} error={errors.model}><Input name="model" defaultValue={settings.data?.model ?? ""} /></Field>
          <Field label={t("apiKey")} error={errors.apiKey} hint={settings.data?.hasKey ? t("keepKey") : undefined}><Input name="apiKey" type="password" autoComplete="off" /></Field>
          <div className="md:col-span-3">
            {errorMessage(save.error) ? <p role="alert" className="mb-2 text-sm text-red-600">{errorMessage(save.error)}</p> : null}
            <SubmitButton variant="secondary" disabled={save.isPending}>{t("save")}</SubmitButton>
          </div>
        </form>
      ) : null}
    </Card>
  );
}
