"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useCallback, useState } from "react";
import { Button, Card, Field, Input, PageHeader, ProgressBar, Select } from "../../../../_components/ui";
import { useJobMessage } from "../../../../_components/use-job-message";
import { useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";
import { countsText } from "../counts-text";
import { FileSlot, type Role, type SlotValue } from "./file-slot";

type Kind = "TRAINING" | "EVALUATION" | "DOCUMENTS" | "RAG_LOG";
type Layout = "beir" | "pairs";

function rolesFor(kind: Kind, layout: Layout): Role[] {
  if (kind === "TRAINING") return ["pairs"];
  if (kind === "EVALUATION") return layout === "beir" ? ["corpus", "queries", "qrels"] : ["pairs"];
  if (kind === "DOCUMENTS") return ["docs"];
  return ["logs"];
}

const EMPTY: SlotValue = { upload: null, mapping: undefined };

/** Import: kind → files (drag and drop, progress) → column mapping with preview → import job. */
export function ImportWizard() {
  const t = useTranslations("datasets.importer");
  const tk = useTranslations("datasets.kinds");
  const message = useJobMessage();
  const tc = useTranslations("datasets.countNames");
  const format = useFormatter();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [kind, setKind] = useState<Kind>("TRAINING");
  const [layout, setLayout] = useState<Layout>("beir");
  const [name, setName] = useState("");
  const [slots, setSlots] = useState<Partial<Record<Role, SlotValue>>>({});
  const roles = rolesFor(kind, layout);
  const start = useMutation(trpc.dataset.startImport.mutationOptions());
  const jobId = start.data?.id;
  const job = useQuery({
    ...trpc.job.get.queryOptions({ workspaceId: workspace.id, jobId: jobId ?? "00000000-0000-0000-0000-000000000000" }),
    enabled: !!jobId,
    refetchInterval: (q) => (q.state.data && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(q.state.data.status) ? false : 1000),
  });
  const errors = fieldErrors(start.error);
  const setSlot = useCallback((role: Role) => (v: SlotValue) => setSlots((s) => ({ ...s, [role]: v })), []);
  const refusedByPreview = roles.some((r) => slots[r]?.previewError);
  const ready = name.trim() && roles.every((r) => slots[r]?.upload) && !refusedByPreview;
  const status = job.data?.status;
  // A refused or cancelled import is over: no bar stuck at its last fraction, and the message is the error below.
  const ended = status === "FAILED" || status === "CANCELLED";
  const result = job.data?.result as { datasetId?: string; versionId?: string; rows?: number; counts?: Record<string, number> } | null | undefined;

  // What Import would send; a refused import is not offered again until a file or its mapping changes.
  const request = ready ? {
    workspaceId: workspace.id,
    datasetName: name.trim(),
    kind,
    files: roles.map((role) => ({ uploadId: slots[role]!.upload!.id, role, mapping: slots[role]!.mapping })),
  } : null;
  const sameAsRefused = status === "FAILED" && request !== null && JSON.stringify(request.files) === JSON.stringify(start.variables?.files);

  function submit() {
    if (request) start.mutate(request);
  }

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="space-y-6">
        <Card>
          <div className="flex flex-wrap gap-4">
            <Field label={t("kind")}>
              <Select value={kind} onChange={(e) => { setKind(e.target.value as Kind); setSlots({}); }}>
                {(["TRAINING", "EVALUATION", "DOCUMENTS", "RAG_LOG"] as const).map((k) => <option key={k} value={k}>{tk(k)}</option>)}
              </Select>
            </Field>
            {kind === "EVALUATION" ? (
              <Field label={t("layout")}>
                <Select value={layout} onChange={(e) => { setLayout(e.target.value as Layout); setSlots({}); }}>
                  <option value="beir">{t("layouts.beir")}</option>
                  <option value="pairs">{t("layouts.pairs")}</option>
                </Select>
              </Field>
            ) : null}
            <Field label={t("datasetName")} error={errors.datasetName}>
              <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t("namePlaceholder")} />
            </Field>
          </div>
          <p className="mt-3 text-xs text-slate-500">{t(`hints.${kind}`)}</p>
        </Card>
        <div className="grid gap-4 lg:grid-cols-1">
          {roles.map((role) => <FileSlot key={`${kind}-${layout}-${role}`} role={role} value={slots[role] ?? EMPTY} onChange={setSlot(role)} />)}
        </div>
        <Card>
          <div className="flex items-center gap-4">
            <Button onClick={submit} disabled={!request || start.isPending || sameAsRefused || (!!jobId && !ended)} data-testid="start-import">{t("start")}</Button>
            {job.data ? (
              <div className="flex-1">
                {ended ? null : <ProgressBar value={status === "SUCCEEDED" ? 1 : job.data.progress} />}
                <p className={`mt-1 text-xs ${status === "FAILED" ? "font-medium text-red-700" : "text-slate-600"}`} data-testid="import-status">
                  {t(`status.${job.data.status}`)}
                  {!ended && job.data.progressMessage ? ` · ${message(job.data.progressMessage)}` : ""}
                </p>
              </div>
            ) : refusedByPreview ? <p className="text-xs text-red-700" data-testid="import-blocked">{t("fixFileFirst")}</p> : null}
          </div>
          {errorMessage(start.error) ? <p role="alert" className="mt-2 text-sm text-red-600">{errorMessage(start.error)}</p> : null}
          {job.data?.status === "FAILED" ? (
            <pre role="alert" className="mt-3 max-h-64 overflow-auto whitespace-pre-wrap rounded bg-red-50 p-3 text-xs text-red-800" data-testid="import-errors">{job.data.lastError}</pre>
          ) : null}
          {job.data?.status === "SUCCEEDED" && result?.datasetId ? (
            <p className="mt-3 text-sm">
              {t("doneContents", { contents: countsText(result.counts, result.rows ?? 0, (k) => tc(k), format.number) })}{" "}
              <Link className="text-brand-600 underline" href={`/w/${workspace.slug}/datasets/${result.datasetId}/v/${result.versionId}`}>{t("openVersion")}</Link>
            </p>
          ) : null}
        </Card>
      </div>
    </>
  );
}
