"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../../_components/relative-time";
import { Badge, Card, EmptyState } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

interface Caps {
  cpuCores?: number;
  memoryMiB?: number;
  gpus?: { name: string; memoryMiB: number }[];
  torch?: { available: boolean; version?: string; cuda?: boolean };
}

export function WorkersTable() {
  const t = useTranslations("workers");
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const workers = useQuery({ ...trpc.worker.list.queryOptions({ workspaceId: workspace.id }), refetchInterval: 3000 });
  return (
    <Card title={t("title")}>
      {workers.data && workers.data.length === 0 ? (
        <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
      ) : (
        <table className="w-full text-left text-sm" data-testid="workers">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-2">{t("host")}</th>
              <th>{t("status")}</th>
              <th>{t("hardware")}</th>
              <th>{t("heartbeat")}</th>
              <th>{t("currentJob")}</th>
            </tr>
          </thead>
          <tbody>
            {workers.data?.map((w) => {
              const caps = w.capabilities as Caps;
              const gpus = caps.gpus?.length ? caps.gpus.map((g) => `${g.name} (${Math.round(g.memoryMiB / 1024)} GiB)`).join(", ") : t("noGpu");
              return (
                <tr key={w.id} className="border-t border-slate-100">
                  <td className="py-2">
                    <div>{w.host}</div>
                    <div className="text-xs text-slate-500">pid {w.pid}</div>
                  </td>
                  <td><Badge value={w.status} label={t(`state.${w.status}`)} /></td>
                  <td className="text-xs">
                    {t("cores", { count: caps.cpuCores ?? 0 })} · {gpus} · {caps.torch?.available ? `torch ${caps.torch.version}` : t("noTorch")}
                  </td>
                  <td className="text-xs text-slate-500">{relative(w.heartbeatAt)}</td>
                  <td className="text-xs">{w.currentJob ? `${w.currentJob.type}` : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Card>
  );
}
