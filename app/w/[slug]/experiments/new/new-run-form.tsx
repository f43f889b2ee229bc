"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { PRESETS, presetNames, trainConfigSchema, type PresetName, type TrainConfigInput } from "~/server/services/experiments/schema";
import { Card, Field, Input, PageHeader, Select } from "../../../../_components/ui";
import { SubmitButton } from "../../../../_components/submit-button";
import { useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";
import { SweepGrid, type SweepState } from "./sweep-grid";
import { trainingHardware } from "./training-hardware";

type FieldKind = "number" | "boolean" | "enum";
/** The advanced form: every trainer hyperparameter, described from the shared zod schema's shape. */
const ADVANCED: Array<{ key: keyof TrainConfigInput; kind: FieldKind; options?: string[]; step?: string }> = [
  { key: "mode", kind: "enum", options: ["dense", "unified", "heads"] },
  { key: "epochs", kind: "number", step: "0.1" }, { key: "maxSteps", kind: "number" }, { key: "batchSize", kind: "number" },
  { key: "gradientAccumulationSteps", kind: "number" }, { key: "subBatchSize", kind: "number" }, { key: "trainGroupSize", kind: "number" },
  { key: "learningRate", kind: "number", step: "any" }, { key: "weightDecay", kind: "number", step: "any" }, { key: "warmupRatio", kind: "number", step: "any" },
  { key: "maxGradNorm", kind: "number", step: "any" }, { key: "temperature", kind: "number", step: "any" },
  { key: "maxQueryLength", kind: "number" }, { key: "maxPassageLength", kind: "number" },
  { key: "sparseWeight", kind: "number", step: "any" }, { key: "colbertWeight", kind: "number", step: "any" },
  { key: "precision", kind: "enum", options: ["auto", "fp32", "bf16", "fp16"] }, { key: "device", kind: "enum", options: ["auto", "cpu", "cuda"] },
  { key: "saveSteps", kind: "number" }, { key: "keepLast", kind: "number" }, { key: "evalSteps", kind: "number" }, { key: "logSteps", kind: "number" }, { key: "seed", kind: "number" },
  { key: "gradientCheckpointing", kind: "boolean" }, { key: "selfDistill", kind: "boolean" }, { key: "inBatchNegatives", kind: "boolean" },
  { key: "crossDeviceNegatives", kind: "boolean" }, { key: "groupByLength", kind: "boolean" }, { key: "sameSourceWithinBatch", kind: "boolean" },
];

export function NewRunForm({ cloneFrom }: { cloneFrom: string | null }) {
  const t = useTranslations("experiments");
  const workspace = useWorkspace();
  const router = useRouter();
  const trpc = useTRPC();
  const models = useQuery(trpc.model.list.queryOptions({ workspaceId: workspace.id }));
  const datasets = useQuery(trpc.dataset.list.queryOptions({ workspaceId: workspace.id }));
  const source = useQuery({ ...trpc.experiment.get.queryOptions({ workspaceId: workspace.id, experimentId: cloneFrom ?? "" }), enabled: !!cloneFrom });
  const [name, setName] = useState("");
  const [baseModelId, setBaseModelId] = useState("");
  const [trainVersionId, setTrainVersionId] = useState("");
  const [evalVersionId, setEvalVersionId] = useState("");
  const [generalEvalVersionId, setGeneralEvalVersionId] = useState("");
  const [preset, setPreset] = useState<PresetName>("lora_quick");
  const [overrides, setOverrides] = useState<Partial<TrainConfigInput>>({});
  const [advanced, setAdvanced] = useState(false);
  const [loraOn, setLoraOn] = useState(true);
  const [gpuMemoryGb, setGpuMemoryGb] = useState(24);
  const [sweepOn, setSweepOn] = useState(false);
  const [sweepGrid, setSweepGrid] = useState<SweepState>({ grid: {}, valid: false });

  const trainVersions = (datasets.data ?? []).filter((d) => (d.kind === "TRAINING" || d.kind === "RAG_LOG") && d.latest);
  const evalVersions = (datasets.data ?? []).filter((d) => d.kind === "EVALUATION" && d.latest);
  useEffect(() => {
    if (!baseModelId && models.data?.[0]) setBaseModelId(models.data[0].id);
  }, [models.data, baseModelId]);
  useEffect(() => {
    if (!trainVersionId && trainVersions[0]?.latest) setTrainVersionId(trainVersions[0].latest.id);
    if (!evalVersionId && evalVersions[0]?.latest) setEvalVersionId(evalVersions[0].latest.id);
  }, [datasets.data]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    const run = source.data?.run;
    if (!run) return;
    setName(`${run.name} (clone)`);
    setBaseModelId(run.baseModelId);
    setTrainVersionId(run.trainVersionId);
    setEvalVersionId(run.evalVersionId ?? "");
    setGeneralEvalVersionId(run.generalEvalVersionId ?? "");
    setPreset("custom");
    setOverrides(run.config as Partial<TrainConfigInput>);
    setLoraOn((run.config as { lora?: unknown }).lora != null);
    setAdvanced(true);
  }, [source.data]);

  const presetValues = preset === "custom" ? {} : (PRESETS[preset] as Partial<TrainConfigInput>);
  const merged = useMemo(() => {
    const m = { ...presetValues, ...overrides } as Partial<TrainConfigInput>;
    if (!loraOn) m.lora = null;
    else if (!m.lora) m.lora = { r: 8, alpha: 16, dropout: 0.05, targetModules: ["query", "key", "value", "dense"] };
    return m;
  }, [presetValues, overrides, loraOn]);
  const parsed = trainConfigSchema.safeParse(merged);
  const localErrors: Record<string, string> = {};
  if (!parsed.success) for (const i of parsed.error.issues) localErrors[String(i.path[0])] ??= i.message;
  const values = (parsed.success ? parsed.data : merged) as Record<string, unknown>;

  const workers = useQuery(trpc.worker.list.queryOptions({ workspaceId: workspace.id }));
  const hardware = trainingHardware(workers.data ?? []);
  const estimate = useQuery({
    ...trpc.experiment.estimate.queryOptions({ workspaceId: workspace.id, baseModelId, trainVersionId: trainVersionId || undefined, preset: "custom", config: merged, gpuMemoryGb }),
    enabled: !!baseModelId && parsed.success,
  });
  const create = useMutation(trpc.experiment.create.mutationOptions({ onSuccess: (run) => router.push(`/w/${workspace.slug}/experiments/${run.id}`) }));
  const sweep = useMutation(trpc.experiment.sweep.mutationOptions({ onSuccess: () => router.push(`/w/${workspace.slug}/experiments`) }));
  const serverErrors = { ...fieldErrors(create.error), ...fieldErrors(sweep.error) };

  const set = (key: string, v: unknown) => setOverrides((o) => ({ ...o, [key]: v }));
  const submit = () => {
    const input = { workspaceId: workspace.id, name, baseModelId, trainVersionId, evalVersionId: evalVersionId || null, generalEvalVersionId: generalEvalVersionId || null, preset, config: merged };
    if (sweepOn) sweep.mutate({ ...input, grid: sweepGrid.grid });
    else create.mutate(input);
  };

  return (
    <>
      <PageHeader title={cloneFrom ? t("cloneRun") : t("newRun")} description={t("newRunHelp")} />
      <form className="space-y-4" onSubmit={(e) => { e.preventDefault(); submit(); }} data-testid="new-run-form">
        <Card title={t("inputs")}>
          <div className="grid grid-cols-2 gap-3">
            <Field label={t("name")} error={serverErrors.name}><Input name="name" value={name} onChange={(e) => setName(e.target.value)} /></Field>
            <Field label={t("baseModel")} error={serverErrors.baseModelId}>
              <Select name="baseModelId" value={baseModelId} onChange={(e) => setBaseModelId(e.target.value)}>
                <option value="">—</option>
                {models.data?.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
              </Select>
            </Field>
            <Field label={t("trainVersion")} error={serverErrors.trainVersionId}>
              <Select name="trainVersionId" value={trainVersionId} onChange={(e) => setTrainVersionId(e.target.value)}>
                <option value="">—</option>
                {trainVersions.map((d) => <option key={d.id} value={d.latest!.id}>{d.name} v{d.latest!.number}</option>)}
              </Select>
            </Field>
            <Field label={t("evalVersion")} error={serverErrors.evalVersionId}>
              <Select name="evalVersionId" value={evalVersionId} onChange={(e) => setEvalVersionId(e.target.value)}>
                <option value="">{t("noEvaluation")}</option>
                {evalVersions.map((d) => <option key={d.id} value={d.latest!.id}>{d.name} v{d.latest!.number}</option>)}
              </Select>
            </Field>
            <Field label={t("generalVersion")} error={serverErrors.generalEvalVersionId} hint={t("generalHelp")}>
              <Select name="generalEvalVersionId" value={generalEvalVersionId} onChange={(e) => setGeneralEvalVersionId(e.target.value)}>
                <option value="">{t("noGeneral")}</option>
                {evalVersions.filter((d) => d.latest!.id !== evalVersionId).map((d) => <option key={d.id} value={d.latest!.id}>{d.name} v{d.latest!.number}</option>)}
              </Select>
            </Field>
          </div>
        </Card>
        <Card title={t("preset")}>
          <div className="flex flex-wrap gap-2" role="radiogroup">
            {presetNames.map((p) => (
              <label key={p} className={`cursor-pointer rounded border px-3 py-2 text-sm ${preset === p ? "border-brand-600 bg-brand-50" : "border-slate-300"}`}>
                <input type="radio" className="sr-only" name="preset" value={p} checked={preset === p} onChange={() => { setPreset(p); setOverrides({}); setLoraOn(p === "lora_quick"); }} data-testid={`preset-${p}`} />
                <span className="font-medium">{t(`presets.${p}`)}</span>
                <span className="block text-xs text-slate-500">{t(`presetHelp.${p}`)}</span>
              </label>
            ))}
          </div>
          <button type="button" className="mt-3 text-sm text-brand-600 underline" onClick={() => setAdvanced(!advanced)}>{advanced ? t("hideAdvanced") : t("showAdvanced")}</button>
          {advanced ? (
            <div className="mt-3 grid grid-cols-3 gap-3" data-testid="advanced">
              <Field label={t("lora")}><input type="checkbox" checked={loraOn} onChange={(e) => setLoraOn(e.target.checked)} /></Field>
              {loraOn ? (
                <Field label={t("loraRank")}><Input type="number" value={String((values.lora as { r?: number } | null)?.r ?? 8)} onChange={(e) => set("lora", { ...(merged.lora ?? {}), r: Number(e.target.value) })} /></Field>
              ) : null}
              {ADVANCED.map((f) => (
                <Field key={f.key} label={t(`fields.${f.key}`)} error={localErrors[f.key] ?? serverErrors[f.key]}>
                  {f.kind === "boolean" ? (
                    <input type="checkbox" name={f.key} checked={Boolean(values[f.key])} onChange={(e) => set(f.key, e.target.checked)} />
                  ) : f.kind === "enum" ? (
                    <Select name={f.key} value={String(values[f.key] ?? "")} onChange={(e) => set(f.key, e.target.value)}>
                      {f.options!.map((o) => <option key={o} value={o}>{o}</option>)}
                    </Select>
                  ) : (
                    <Input name={f.key} type="number" step={f.step ?? "1"} value={String(values[f.key] ?? "")} onChange={(e) => set(f.key, e.target.value === "" ? undefined : Number(e.target.value))} />
                  )}
                </Field>
              ))}
            </div>
          ) : null}
        </Card>
        <Card title={t("estimate")}>
          <div className="flex items-end gap-3">
            <Field label={t("gpuMemory")}><Input type="number" value={String(gpuMemoryGb)} onChange={(e) => setGpuMemoryGb(Number(e.target.value) || 24)} /></Field>
          </div>
          {estimate.data ? (
            <div className="mt-2 text-sm" data-testid="estimate">
              <p data-hardware={hardware}>{t(hardware === "gpu" ? "estimateLine" : hardware === "cpu" ? "estimateLineCpu" : "estimateLineNoWorker", { memory: estimate.data.estimate.memoryGb, steps: estimate.data.estimate.steps, minutes: Math.max(1, Math.round(estimate.data.estimate.seconds / 60)) })}</p>
              <p className="text-xs text-slate-500">{t("estimateBreakdown", estimate.data.estimate.breakdown)}</p>
              {estimate.data.estimate.advice.length ? (
                <ul className="mt-2 list-disc pl-5 text-amber-800">
                  {estimate.data.estimate.advice.map((a) => (
                    <li key={a.key}>
                      {t(`advice.${a.key}`)}{" "}
                      <button type="button" className="text-brand-600 underline" onClick={() => { setOverrides((o) => ({ ...o, ...(a.change as Partial<TrainConfigInput>) })); if ("lora" in a.change) setLoraOn(true); setAdvanced(true); }}>{t("apply")}</button>
                    </li>
                  ))}
                </ul>
              ) : <p className="text-green-700">{t("fits")}</p>}
            </div>
          ) : null}
        </Card>
        <Card title={t("sweep")}>
          <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={sweepOn} onChange={(e) => setSweepOn(e.target.checked)} /> {t("sweepHelp")}</label>
          {sweepOn ? <SweepGrid loraOn={loraOn} serverError={errorMessage(sweep.error) ? undefined : serverErrors.grid} onChange={setSweepGrid} /> : null}
        </Card>
        {errorMessage(create.error ?? sweep.error) ? <p className="text-sm text-red-600" role="alert">{errorMessage(create.error ?? sweep.error)}</p> : null}
        <SubmitButton disabled={create.isPending || sweep.isPending || !parsed.success || (sweepOn && !sweepGrid.valid)} data-testid="queue-run">{sweepOn ? t("queueSweep") : t("queueRun")}</SubmitButton>
      </form>
    </>
  );
}
