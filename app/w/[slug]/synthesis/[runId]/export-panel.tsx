"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useState } from "react";
import { Button, Card, Field, Input } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";

/** Accepted pairs → a training version; graded judgements → an evaluation version. */
export function ExportPanel({ runId, runName }: { runId: string; runName: string }) {
  const t = useTranslations("synthesis.export");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [name, setName] = useState(`${runName}-reviewed`);
  const exportRun = useMutation(trpc.synthesis.export.mutationOptions());
  const errors = fieldErrors(exportRun.error);
  return (
    <Card title={t("title")}>
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t("datasetName")} error={errors.datasetName}><Input value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Button onClick={() => exportRun.mutate({ workspaceId: workspace.id, runId, target: "training", datasetName: name })} disabled={exportRun.isPending}>{t("training")}</Button>
        <Button variant="secondary" onClick={() => exportRun.mutate({ workspaceId: workspace.id, runId, target: "evaluation", datasetName: `${name}-eval` })} disabled={exportRun.isPending}>{t("evaluation")}</Button>
      </div>
      <p className="mt-2 text-xs text-slate-500">{t("hint")}</p>
      {errorMessage(exportRun.error) ? <p role="alert" className="mt-2 text-sm text-red-600">{errorMessage(exportRun.error)}</p> : null}
      {exportRun.data ? (
        <p className="mt-3 text-sm" data-testid="export-result">
          {t("done", { rows: exportRun.data.rowCount, version: exportRun.data.number })}{" "}
          <Link className="text-brand-600 underline" href={`/w/${workspace.slug}/datasets/${exportRun.data.datasetId}/v/${exportRun.data.id}`}>{t("open")}</Link>
        </p>
      ) : null}
    </Card>
  );
}
