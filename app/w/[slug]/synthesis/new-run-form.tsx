"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Card, Field, Input, Select } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

export function NewRunForm() {
  const t = useTranslations("synthesis.new");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const datasets = useQuery(trpc.dataset.list.queryOptions({ workspaceId: workspace.id }));
  const members = useQuery(trpc.member.list.queryOptions({ workspaceId: workspace.id }));
  const documents = (datasets.data ?? []).filter((d) => d.kind === "DOCUMENTS" && d.latest);
  const llm = useQuery(trpc.synthesis.llmSettings.queryOptions({ workspaceId: workspace.id }));
  const [reviewers, setReviewers] = useState<string[]>([]);
  // Ticked by default only when the workspace has an LLM endpoint (#20 item 8); the user's own choice wins.
  const [useLlmChoice, setUseLlm] = useState<boolean | null>(null);
  const llmConfigured = !!llm.data;
  const useLlm = useLlmChoice ?? llmConfigured;
  const [language, setLanguage] = useState<"zh" | "en">("zh");
  const offline = !useLlm || !llmConfigured;
  const create = useMutation(trpc.synthesis.create.mutationOptions({ onSuccess: (run) => router.push(`/w/${workspace.slug}/synthesis/${run.id}`) }));
  const errors = fieldErrors(create.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const num = (k: string) => Number(f.get(k));
    create.mutate({
      workspaceId: workspace.id,
      name: String(f.get("name") ?? ""),
      sourceVersionId: String(f.get("source") ?? ""),
      config: {
        domain: f.get("domain") as "medical", language: f.get("language") as "zh", queriesPerChunk: num("k"),
        chunkTokens: num("chunk"), overlapTokens: num("overlap"), maxChunks: num("maxChunks"), useLlm,
        reviewerIds: reviewers, overlap: num("reviewOverlap"),
      },
    });
  }

  if (documents.length === 0) return <Card title={t("title")}><p className="text-sm text-slate-600">{t("needDocuments")}</p></Card>;
  return (
    <Card title={t("title")}>
      <form onSubmit={submit} className="grid gap-4 md:grid-cols-3" noValidate>
        <Field label={t("name")} error={errors.name}><Input name="name" defaultValue={t("defaultName")} /></Field>
        <Field label={t("source")} error={errors.sourceVersionId}>
          <Select name="source" defaultValue={documents[0]?.latest?.id}>
            {documents.map((d) => <option key={d.id} value={d.latest!.id}>{d.name} · v{d.latest!.number}</option>)}
          </Select>
        </Field>
        <Field label={t("domain")}>
          <Select name="domain" defaultValue="medical">
            {(["medical", "legal", "finance", "custom"] as const).map((d) => <option key={d} value={d}>{t(`domains.${d}`)}</option>)}
          </Select>
        </Field>
        <Field label={t("language")}>
          <Select name="language" value={language} onChange={(e) => setLanguage(e.target.value as "zh" | "en")}><option value="zh">中文</option><option value="en">English</option></Select>
        </Field>
        <Field label={t("k")}><Input name="k" type="number" min={1} max={10} defaultValue={3} /></Field>
        <Field label={t("chunk")}><Input name="chunk" type="number" min={32} max={4096} defaultValue={256} /></Field>
        <Field label={t("overlap")} error={errors.overlapTokens}><Input name="overlap" type="number" min={0} defaultValue={32} /></Field>
        <Field label={t("maxChunks")}><Input name="maxChunks" type="number" min={1} defaultValue={200} /></Field>
        <Field label={t("reviewOverlap")}><Input name="reviewOverlap" type="number" min={1} max={5} defaultValue={2} /></Field>
        <div className="text-sm">
          <label className="flex items-center gap-2"><input type="checkbox" name="useLlm" checked={useLlm} onChange={(e) => setUseLlm(e.target.checked)} /> {t("useLlm")}</label>
          {useLlm && !llmConfigured && llm.isSuccess ? <p className="mt-1 text-xs text-amber-700" data-testid="no-llm">{t("noLlmConfigured")}</p> : null}
          {offline ? <p className="mt-1 text-xs text-amber-700" data-testid="offline-warning">{language === "zh" ? t("offlineZhWarning") : t("offlineWarning")}</p> : null}
        </div>
        <fieldset className="md:col-span-2">
          <legend className="mb-1 text-sm font-medium text-slate-700">{t("reviewers")}</legend>
          <div className="flex flex-wrap gap-3">
            {members.data?.filter((m) => m.role !== "VIEWER").map((m) => (
              <label key={m.userId} className="flex items-center gap-1 text-sm">
                <input type="checkbox" checked={reviewers.includes(m.userId)} onChange={(e) => setReviewers(e.target.checked ? [...reviewers, m.userId] : reviewers.filter((r) => r !== m.userId))} />
                {m.name ?? m.email}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="md:col-span-3">
          {errorMessage(create.error) ? <p role="alert" className="mb-2 text-sm text-red-600">{errorMessage(create.error)}</p> : null}
          <SubmitButton disabled={create.isPending}>{t("start")}</SubmitButton>
        </div>
      </form>
    </Card>
  );
}
