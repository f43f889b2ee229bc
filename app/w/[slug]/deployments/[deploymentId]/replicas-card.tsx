"use client";

import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../../_components/relative-time";
import { Badge, Card } from "../../../../_components/ui";
import { STATUS_BADGE } from "../deployments-home";

export interface ReplicaView {
  index: number;
  status: string;
  statusMessage: string | null;
  url: string | null;
  workerId: string | null;
  workerHost: string | null;
  startedAt: Date | string | null;
  healthy: boolean;
}

/** Every serve job of the deployment: where it runs, its direct URL and whether the router uses it. */
export function ReplicasCard({ replicas }: { replicas: ReplicaView[] }) {
  const t = useTranslations("deployments.replicaList");
  const td = useTranslations("deployments");
  const relative = useRelativeTime();
  return (
    <Card title={t("title")}>
      <table className="w-full text-left text-sm" data-testid="replicas">
        <thead className="text-xs uppercase text-slate-500">
          <tr><th className="py-2">{t("index")}</th><th>{t("worker")}</th><th>{t("url")}</th><th>{t("status")}</th><th>{t("health")}</th><th>{t("started")}</th></tr>
        </thead>
        <tbody>
          {replicas.map((r) => (
            <tr key={r.index} className="border-t border-slate-100">
              <td className="py-2">{r.index}</td>
              <td className="font-mono text-xs">{r.workerId ?? t("waiting")}</td>
              <td className="font-mono text-xs">{r.url ?? "—"}</td>
              <td><Badge value={STATUS_BADGE[r.status] ?? r.status} label={td(`statuses.${r.status}`)} /></td>
              <td className={`text-xs ${r.healthy ? "text-emerald-700" : "text-slate-500"}`}>{r.status === "LIVE" ? (r.healthy ? t("healthy") : t("unhealthy")) : "—"}</td>
              <td className="text-xs text-slate-500">{r.startedAt ? relative(new Date(r.startedAt)) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
