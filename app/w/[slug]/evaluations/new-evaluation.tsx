"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Card, Field, Input, Select } from "../../../_components/ui";
import { SubmitButton } from "../../../_components/submit-button";
import { useWorkspace } from "../../../_components/workspace-context";
import { errorMessage } from "../../../_trpc/errors";
import { useTRPC } from "../../../_trpc/react";

const MODES = ["dense", "sparse", "colbert", "hybrid"] as const;

/** Evaluate registered base models and checkpoints on an evaluation version (the evaluate_subjects job). */
export function NewEvaluation() {
  const t = useTranslations("evaluations");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const datasets = useQuery(trpc.dataset.list.queryOptions({ workspaceId: workspace.id }));
  const models = useQuery(trpc.model.list.queryOptions({ workspaceId: workspace.id }));
  const checkpoints = useQuery(trpc.model.checkpoints.queryOptions({ workspaceId: workspace.id }));
  const [name, setName] = useState("");
  const [versionId, setVersionId] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const [modes, setModes] = useState<string[]>(["dense", "sparse"]);
  const create = useMutation(trpc.evaluation.create.mutationOptions({ onSuccess: () => { setPicked([]); void qc.invalidateQueries({ queryKey: trpc.evaluation.list.queryKey() }); } }));
  const evalSets = (datasets.data ?? []).filter((d) => d.kind === "EVALUATION" && d.latest);
  const options = [
    ...(models.data ?? []).map((m) => ({ key: `base:${m.id}`, label: m.name })),
    ...(checkpoints.data ?? []).map((c) => ({ key: `checkpoint:${c.id}`, label: `${c.runName ?? "run"} @${c.step}${c.aliases.length ? ` (${c.aliases.map((a) => `@${a}`).join(" ")})` : ""}` })),
  ];
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  return (
    <Card title={t("newTitle")}>
      <form className="space-y-2 text-sm" onSubmit={(e) => {
        e.preventDefault();
        create.mutate({
          workspaceId: workspace.id, name: name || t("defaultName"), evalVersionId: versionId || evalSets[0]?.latest?.id || "",
          subjects: picked.map((k) => { const [kind, id] = k.split(":") as ["base" | "checkpoint", string]; return { kind, id }; }),
          modes: modes as Array<(typeof MODES)[number]>,
        });
      }}>
        <div className="flex flex-wrap gap-3">
          <Field label={t("name")}><Input value={name} onChange={(e) => setName(e.target.value)} /></Field>
          <Field label={t("data")}>
            <Select value={versionId} onChange={(e) => setVersionId(e.target.value)}>
              {evalSets.map((d) => <option key={d.id} value={d.latest!.id}>{d.name} v{d.latest!.number}</option>)}
            </Select>
          </Field>
        </div>
        <fieldset className="flex flex-wrap gap-3"><legend className="font-medium">{t("subjects")}</legend>
          {options.map((o) => <label key={o.key} className="flex items-center gap-1"><input type="checkbox" checked={picked.includes(o.key)} onChange={() => setPicked(toggle(picked, o.key))} />{o.label}</label>)}
        </fieldset>
        <fieldset className="flex flex-wrap gap-3"><legend className="font-medium">{t("modes")}</legend>
          {MODES.map((m) => <label key={m} className="flex items-center gap-1"><input type="checkbox" checked={modes.includes(m)} onChange={() => setModes(toggle(modes, m))} />{m}</label>)}
        </fieldset>
        {errorMessage(create.error) ? <p className="text-red-600">{errorMessage(create.error)}</p> : null}
        <SubmitButton disabled={create.isPending || picked.length === 0 || modes.length === 0}>{t("run")}</SubmitButton>
      </form>
    </Card>
  );
}
