"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { LineChart, type ChartSeries } from "../../../../_components/charts/line-chart";
import { Card, Select } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

const WINDOWS = [300, 900, 3600];
type Series = Record<string, Array<[number, number]>>;

/**
 * The deployment's live traffic, per replica: requests/s, p50/p95 latency, errors, 429s, batch sizes, tokens per
 * batch and cache hit rate — the counters each replica's /metrics exports, sampled by its serving job every few
 * seconds (server/services/deployments/traffic.ts). Refreshes while the deployment runs.
 */
export function TrafficCard({ deploymentId, live }: { deploymentId: string; live: boolean }) {
  const t = useTranslations("deployments.traffic");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [windowSeconds, setWindowSeconds] = useState(WINDOWS[0]!);
  const traffic = useQuery({ ...trpc.traffic.deployment.queryOptions({ workspaceId: workspace.id, deploymentId, windowSeconds }), refetchInterval: live ? 3000 : false });
  const replicas = traffic.data?.replicas ?? [];
  // The axis spans the whole window, ending now (the answer's time), however few points there are yet.
  const now = traffic.dataUpdatedAt / 1000;
  const extent: [number, number] = [now - windowSeconds, now];
  // One line per replica and measure ("p95 · replica 1"); replicas are numbered as in the replicas table.
  const lines = (parts: Array<[string, (s: Series) => Array<[number, number]>]>): ChartSeries[] =>
    replicas.flatMap((r) => parts.map(([label, pick]) => ({ label: [label, t("replica", { index: r.replica })].filter(Boolean).join(" · "), points: pick(r.series as Series) })));
  const one = (name: string, scale = 1) => lines([["", (s) => (scale === 1 ? s[name]! : s[name]!.map(([x, y]) => [x, y * scale] as [number, number]))]]);
  const windowPicker = (
    <Select aria-label={t("window")} value={windowSeconds} onChange={(e) => setWindowSeconds(Number(e.target.value))} data-testid="traffic-window">
      {WINDOWS.map((w) => <option key={w} value={w}>{t("lastMinutes", { minutes: w / 60 })}</option>)}
    </Select>
  );
  return (
    <Card title={t("title")} actions={windowPicker}>
      <p className="mb-3 text-xs text-slate-500">{t("explain")}</p>
      {replicas.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="traffic-empty">{traffic.isLoading ? t("loading") : t("empty")}</p>
      ) : (
        <div className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3" data-testid="traffic-charts">
          <LineChart xTime xExtent={extent} title={t("requests")} series={one("requestsPerS")} testId="chart-traffic-requests" />
          <LineChart xTime xExtent={extent} title={t("latency")} series={lines([[t("p50"), (s) => s.p50LatencyMs!], [t("p95"), (s) => s.p95LatencyMs!]])} testId="chart-traffic-latency" />
          <LineChart xTime xExtent={extent} title={t("errors")} series={lines([[t("clientErrors"), (s) => s.clientErrorsPerS!], [t("serverErrors"), (s) => s.serverErrorsPerS!]])} testId="chart-traffic-errors" />
          <LineChart xTime xExtent={extent} title={t("rateLimited")} series={one("rateLimitedPerS")} testId="chart-traffic-429" />
          <LineChart xTime xExtent={extent} title={t("batchSize")} series={one("meanBatchSize")} testId="chart-traffic-batch-size" />
          <LineChart xTime xExtent={extent} title={t("batchTokens")} series={one("meanTokensPerBatch")} testId="chart-traffic-batch-tokens" />
          <LineChart xTime xExtent={extent} title={t("cacheHitRate")} yRange={[0, 100]} series={one("cacheHitRate", 100)} testId="chart-traffic-cache" />
        </div>
      )}
    </Card>
  );
}
