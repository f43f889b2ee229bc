"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { Badge, Button, Card, PageHeader, Select } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";
import { useJobMessage } from "../../../../_components/use-job-message";
import { useModelLabel } from "../../../../_components/use-model-label";
import { STATUS_BADGE } from "../deployments-home";
import { AccuracyCard, type AccuracyCheckView } from "./accuracy-card";
import { CurlExamples } from "./curl-examples";
import { DeploymentServingInfo } from "./deployment-serving-info";
import { ReplicasCard } from "./replicas-card";
import { TrafficCard } from "./traffic-card";

export function DeploymentDetail({ deploymentId }: { deploymentId: string }) {
  const t = useTranslations("deployments");
  const message = useJobMessage();
  const modelLabel = useModelLabel();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const deployment = useQuery({ ...trpc.deployment.get.queryOptions({ workspaceId: workspace.id, deploymentId }), refetchInterval: 1500 });
  const models = useQuery(trpc.deployment.models.queryOptions({ workspaceId: workspace.id }));
  const [model, setModel] = useState(0);
  const input = { workspaceId: workspace.id, deploymentId };
  const undeploy = useMutation(trpc.deployment.undeploy.mutationOptions());
  const redeploy = useMutation(trpc.deployment.redeploy.mutationOptions());
  const rollback = useMutation(trpc.deployment.rollback.mutationOptions());
  const switchModel = useMutation(trpc.deployment.switchModel.mutationOptions());
  const feedback = useMutation(trpc.deployment.importFeedback.mutationOptions());
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  const error = undeploy.error ?? redeploy.error ?? rollback.error ?? switchModel.error ?? feedback.error;
  if (deployment.error) return <p role="alert" className="text-sm text-red-600">{deployment.error.message}</p>;
  if (!deployment.data) return null;
  const d = deployment.data;
  const running = d.status === "LIVE" || d.status === "STARTING" || d.status === "PENDING" || d.status === "AWAITING_APPROVAL";
  // The stable URL: the web app's router balances it across the healthy replicas.
  const balanced = origin ? `${origin}/api/deployments/${d.id}` : null;
  return (
    <>
      <PageHeader title={d.name} description={t("serving", { model: modelLabel(d.modelLabel) })} actions={<span data-testid="deployment-status"><Badge value={STATUS_BADGE[d.status] ?? d.status} label={t(`statuses.${d.status}`)} /></span>} />
      <div className="space-y-6">
        <Card title={t("endpoint")}>
          <p className="text-xs text-slate-500">{t("balancedUrl")} · {t("precision")} {d.quantization}</p>
          <p className="font-mono text-sm" data-testid="deployment-url">{balanced ? `${balanced}/v1` : "—"}</p>
          {d.statusMessage ? <p className="mt-1 text-xs text-slate-500">{message(d.statusMessage)}</p> : null}
          {canEdit ? (
            <div className="mt-4 flex flex-wrap items-center gap-2">
              {running ? <Button variant="danger" onClick={() => undeploy.mutate(input)}>{t("undeploy")}</Button> : <Button onClick={() => redeploy.mutate(input)}>{t("redeploy")}</Button>}
              {d.previousModelLabel ? <Button variant="secondary" onClick={() => rollback.mutate(input)}>{t("rollback", { model: modelLabel(d.previousModelLabel) })}</Button> : null}
              <Select aria-label={t("switchTo")} value={model} onChange={(e) => setModel(Number(e.target.value))}>
                {models.data?.map((m, i) => <option key={i} value={i}>{modelLabel(m.labelParts)}</option>)}
              </Select>
              <Button variant="secondary" onClick={() => models.data?.[model] && switchModel.mutate({ ...input, model: models.data[model]!.ref })}>{t("switch")}</Button>
              {d.acceptFeedback ? <Button variant="secondary" onClick={() => feedback.mutate(input)}>{t("importFeedback")}</Button> : null}
            </div>
          ) : null}
          {error ? <p role="alert" className="mt-2 text-sm text-red-600">{error.message}</p> : null}
          {feedback.data ? <p className="mt-2 text-sm text-slate-600">{t("feedbackQueued")}</p> : null}
        </Card>
        {d.quantization !== "fp32" ? <AccuracyCard deploymentId={d.id} modelDir={d.modelDir} precision={d.quantization} check={d.accuracyCheck as AccuracyCheckView | null} /> : null}
        <ReplicasCard replicas={d.replicaList} />
        <DeploymentServingInfo replicas={d.replicaList} />
        <TrafficCard deploymentId={d.id} live={running} />
        {d.url && d.status === "LIVE" && balanced ? <CurlExamples url={balanced} replicaUrl={d.url} model={d.name} /> : null}
        <Card title={t("logs")}>
          <pre className="max-h-72 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100" data-testid="deployment-logs">
            {d.logs.map((l) => `${new Date(l.createdAt).toISOString()} ${l.message}`).join("\n") || t("noLogs")}
          </pre>
        </Card>
      </div>
    </>
  );
}
