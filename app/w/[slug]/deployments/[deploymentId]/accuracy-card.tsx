"use client";

import { useMutation } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { Button, Card } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

export interface AccuracyCheckView {
  modelDir: string;
  status: "running" | "done" | "skipped" | "failed";
  /** int8 or fp16 (checks stored before fp16 had a gate: int8). */
  precision?: "int8" | "fp16";
  queries?: number;
  documents?: number;
  fp32?: Record<"ndcg@10" | "mrr@10", number>;
  int8?: Record<"ndcg@10" | "mrr@10", number>;
  deltaPct?: Record<"ndcg@10" | "mrr@10", number>;
  reason?: string;
  approvedAt?: string;
}

/** Drop (in % of nDCG@10) above which Go live needs an explicit "I accept" (server: DROP_CONFIRM_PCT). */
const CONFIRM_PCT = 2;
const pct = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(1)}%`;

/** The accuracy cost of the quantised precision (int8 or fp16) measured before going live, and the Go live step. */
export function AccuracyCard({ deploymentId, modelDir, precision, check }: { deploymentId: string; modelDir: string; precision: string; check: AccuracyCheckView | null }) {
  const t = useTranslations("deployments.accuracy");
  const format = useFormatter();
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const [acknowledged, setAcknowledged] = useState(false);
  const goLive = useMutation(trpc.deployment.goLive.mutationOptions());
  const current = check && check.modelDir === modelDir ? check : null;
  const bigDrop = current ? current.status !== "done" || (current.deltaPct?.["ndcg@10"] ?? 0) < -CONFIRM_PCT : false;
  return (
    <Card title={t("title", { precision })}>
      <div data-testid="accuracy-check" className="space-y-1 text-sm">
        {!current || current.status === "running" ? <p className="text-slate-600">{t("running", { precision })}</p> : null}
        {current?.status === "done" ? (
          <>
            <p className="font-medium">{t("summary", { precision, int8: current.int8!["ndcg@10"].toFixed(4), fp32: current.fp32!["ndcg@10"].toFixed(4), delta: pct(current.deltaPct!["ndcg@10"]) })}</p>
            <p className="text-xs text-slate-500">{t("mrr", { int8: current.int8!["mrr@10"].toFixed(4), fp32: current.fp32!["mrr@10"].toFixed(4), delta: pct(current.deltaPct!["mrr@10"]), queries: current.queries ?? 0, documents: current.documents ?? 0 })}</p>
          </>
        ) : null}
        {current?.status === "skipped" ? <p>{t("skipped", { reason: current.reason ?? "" })}</p> : null}
        {current?.status === "failed" ? <p className="text-red-600">{t("failed", { reason: current.reason ?? "" })}</p> : null}
      </div>
      {current?.approvedAt ? <p className="mt-2 text-sm text-emerald-700">{t("approved", { precision, when: format.dateTime(new Date(current.approvedAt), { dateStyle: "medium", timeStyle: "short" }) })}</p> : null}
      {current && current.status !== "running" && !current.approvedAt && canEdit ? (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          {bigDrop ? (
            <>
              {current.status === "done" ? <span className="text-sm text-amber-700">{t("bigDrop", { threshold: CONFIRM_PCT })}</span> : null}
              <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} /> {t("acknowledge")}</label>
            </>
          ) : null}
          <Button disabled={goLive.isPending || (bigDrop && !acknowledged)} onClick={() => goLive.mutate({ workspaceId: workspace.id, deploymentId, acknowledgeDrop: acknowledged })}>{t("goLive")}</Button>
        </div>
      ) : null}
      {goLive.error ? <p role="alert" className="mt-2 text-sm text-red-600">{goLive.error.message}</p> : null}
      <p className="mt-3 text-xs text-slate-500">{t("parity")}</p>
    </Card>
  );
}
