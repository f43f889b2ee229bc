"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { INDEX_NAME_PATTERN, INDEX_STORES, type IndexStore } from "~/gpu-worker/indexing/types";
import { SubmitButton } from "../../../_components/submit-button";
import { Card, Field, Input, Select } from "../../../_components/ui";
import { useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

/** Model groups in the picker, in this order: what the ref kinds are called on the page. */
const MODEL_GROUPS = [["base", ["default", "base"]], ["checkpoint", ["checkpoint"]], ["deployment", ["deployment"]]] as const;

/** "Index a corpus": a documents version, the encoder, the stores to export and the outputs (ColBERT optional). */
export function IndexForm() {
  const t = useTranslations("indexes");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const options = useQuery(trpc.indexes.options.queryOptions({ workspaceId: workspace.id }));
  const [model, setModel] = useState(0);
  const [stores, setStores] = useState<IndexStore[]>(["pgvector", "qdrant"]);
  const [colbert, setColbert] = useState(false);
  const [nameInvalid, setNameInvalid] = useState(false);
  const create = useMutation(trpc.indexes.create.mutationOptions({ onSuccess: (r) => router.push(`/w/${workspace.slug}/indexes/${r.jobId}`) }));
  const errors = fieldErrors(create.error);
  const models = options.data?.models ?? [];
  const versions = options.data?.versions ?? [];
  // The ColBERT recall cost is measured on an evaluation set's judged queries.
  const evalVersions = versions.filter((v) => v.kind === "EVALUATION");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const chosen = models[model];
    if (!chosen) return;
    const dims = String(f.get("colbertDimensions") ?? "").trim();
    const name = String(f.get("name") ?? "");
    // Checked here too so the message is in the user's language (the server's zod message is the backstop).
    setNameInvalid(!INDEX_NAME_PATTERN.test(name));
    if (!INDEX_NAME_PATTERN.test(name)) return;
    create.mutate({
      workspaceId: workspace.id,
      options: {
        name, versionId: String(f.get("versionId") ?? ""), model: chosen.ref, stores,
        sparse: f.get("sparse") === "on", maxLength: Number(f.get("maxLength") ?? 512),
        colbert: colbert ? { format: f.get("colbertFormat") === "int8" ? "int8" : "float", ...(dims ? { dimensions: Number(dims) } : {}) } : null,
        evalVersionId: colbert ? String(f.get("evalVersionId") ?? "") || null : null,
      },
    });
  }

  if (options.data && (versions.length === 0 || models.length === 0)) {
    return <Card title={t("formTitle")}><p className="text-sm text-slate-600" data-testid="index-form-missing">{versions.length === 0 ? t("noVersions") : t("noModels")}</p></Card>;
  }
  return (
    <Card title={t("formTitle")}>
      <form onSubmit={submit} className="space-y-4" noValidate data-testid="index-form">
        <div className="flex flex-wrap items-end gap-3">
          <Field label={t("name")} error={nameInvalid ? t("nameInvalid") : undefined} hint={t("nameHint")}><Input name="name" defaultValue="corpus" /></Field>
          <Field label={t("version")} error={errors.versionId}>
            <Select name="versionId" aria-label={t("version")}>
              {versions.map((v) => <option key={v.id} value={v.id}>{t("versionOption", { label: v.label, documents: v.documents })}</option>)}
            </Select>
          </Field>
          <Field label={t("model")} error={errors.model}>
            <Select value={model} onChange={(e) => setModel(Number(e.target.value))} aria-label={t("model")}>
              {MODEL_GROUPS.map(([group, kinds]) => {
                const inGroup = models.map((m, i) => ({ m, i })).filter(({ m }) => (kinds as readonly string[]).includes(m.ref.kind));
                return inGroup.length ? (
                  <optgroup key={group} label={t(`modelGroups.${group}`)}>
                    {inGroup.map(({ m, i }) => <option key={i} value={i}>{m.label}</option>)}
                  </optgroup>
                ) : null;
              })}
            </Select>
          </Field>
          <Field label={t("maxLength")}><Input name="maxLength" type="number" min={8} max={8192} defaultValue={512} /></Field>
        </div>
        <fieldset>
          <legend className="text-sm font-medium">{t("stores")}</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {INDEX_STORES.map((s) => (
              <label key={s} className="flex items-center gap-2 text-sm">
                <input type="checkbox" data-testid={`store-${s}`} checked={stores.includes(s)} onChange={(e) => setStores((cur) => (e.target.checked ? INDEX_STORES.filter((x) => x === s || cur.includes(x)) : cur.filter((x) => x !== s)))} />
                {t(`storeNames.${s}`)}
              </label>
            ))}
          </div>
          {stores.length === 0 ? <p className="mt-1 text-xs text-slate-500">{t("storesHint")}</p> : null}
        </fieldset>
        <fieldset className="flex flex-wrap items-end gap-4">
          <legend className="text-sm font-medium">{t("outputs")}</legend>
          <label className="flex items-center gap-2 text-sm"><input type="checkbox" name="sparse" defaultChecked /> {t("sparse")}</label>
          <label className="flex items-center gap-2 text-sm"><input type="checkbox" data-testid="colbert" checked={colbert} onChange={(e) => setColbert(e.target.checked)} /> {t("colbert")}</label>
          {colbert ? (
            <>
              <Field label={t("colbertDimensions")} hint={t("colbertDimensionsHint")}><Input name="colbertDimensions" type="number" min={1} max={4096} placeholder={t("modelDim")} /></Field>
              <Field label={t("colbertFormat")}>
                <Select name="colbertFormat" aria-label={t("colbertFormat")} defaultValue="float">
                  <option value="float">{t("formats.float")}</option>
                  <option value="int8">{t("formats.int8")}</option>
                </Select>
              </Field>
              <Field label={t("evalVersion")} hint={t("evalVersionHint")} error={errors.evalVersionId}>
                <Select name="evalVersionId" aria-label={t("evalVersion")} defaultValue="">
                  <option value="">{t("evalVersionNone")}</option>
                  {evalVersions.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
                </Select>
              </Field>
            </>
          ) : null}
        </fieldset>
        <SubmitButton disabled={create.isPending || stores.length === 0}>{t("start")}</SubmitButton>
        {errors.options ? <p role="alert" className="text-sm text-red-600">{errors.options}</p> : null}
        {errorMessage(create.error) ? <p role="alert" className="text-sm text-red-600">{errorMessage(create.error)}</p> : null}
      </form>
    </Card>
  );
}
