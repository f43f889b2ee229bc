"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button, Card, Field, Input } from "../../../_components/ui";
import { useWorkspace } from "../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

interface Candidate {
  id: string;
  name: string;
  latest: { id: string; number: number } | null;
}

/** Merge the latest versions of several pair datasets into a new training version. */
export function MergeCard({ datasets }: { datasets: Candidate[] }) {
  const t = useTranslations("datasets.merge");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string[]>([]);
  const [name, setName] = useState("merged");
  const [dedupe, setDedupe] = useState(true);
  const merge = useMutation(trpc.dataset.merge.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.dataset.list.queryKey() }) }));
  const errors = fieldErrors(merge.error);
  const options = datasets.filter((d) => d.latest);
  if (options.length < 2) return null;
  return (
    <Card title={t("title")}>
      <div className="flex flex-wrap gap-3">
        {options.map((d) => (
          <label key={d.id} className="flex items-center gap-1 text-sm">
            <input type="checkbox" checked={chosen.includes(d.latest!.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, d.latest!.id] : chosen.filter((x) => x !== d.latest!.id))} />
            {d.name} · v{d.latest!.number}
          </label>
        ))}
      </div>
      <div className="mt-3 flex flex-wrap items-end gap-3">
        <Field label={t("name")} error={errors.datasetName}><Input value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={dedupe} onChange={(e) => setDedupe(e.target.checked)} /> {t("dedupe")}</label>
        <Button variant="secondary" onClick={() => merge.mutate({ workspaceId: workspace.id, versionIds: chosen, datasetName: name, dedupe })} disabled={merge.isPending}>{t("merge")}</Button>
      </div>
      {errors.versionIds ? <p role="alert" className="mt-2 text-sm text-red-600">{errors.versionIds}</p> : null}
      {errorMessage(merge.error) ? <p role="alert" className="mt-2 text-sm text-red-600">{errorMessage(merge.error)}</p> : null}
      {merge.data ? <p className="mt-2 text-sm">{t("done", { rows: merge.data.rowCount, version: merge.data.number })}</p> : null}
    </Card>
  );
}
