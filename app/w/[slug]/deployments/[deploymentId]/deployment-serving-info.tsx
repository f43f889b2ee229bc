"use client";

import { useTranslations } from "next-intl";
import { Card } from "../../../../_components/ui";

/** What deployment.get says serves a replica (server/lib/serving-device.ts, from its worker's capabilities). */
export interface ReplicaServing {
  index: number;
  serving: { device: string; provider: string; precision: string; dtype: string | null } | null;
}

/** Device, provider and precision of each replica (one line when they all agree), the same answer /health gives. */
export function DeploymentServingInfo({ replicas }: { replicas: ReplicaServing[] }) {
  const t = useTranslations("deployments.servingInfo");
  const known = replicas.filter((r) => r.serving);
  const same = known.every((r) => JSON.stringify(r.serving) === JSON.stringify(known[0]!.serving));
  const rows = same ? known.slice(0, 1) : known;
  return (
    <Card title={t("title")}>
      {rows.length === 0 ? <p className="text-sm text-slate-500">{t("none")}</p> : (
        <dl className="grid grid-cols-[auto_1fr_1fr_1fr] gap-x-6 gap-y-1 text-sm" data-testid="deployment-serving">
          <span /><dt className="text-xs uppercase text-slate-500">{t("device")}</dt><dt className="text-xs uppercase text-slate-500">{t("provider")}</dt><dt className="text-xs uppercase text-slate-500">{t("precision")}</dt>
          {rows.map((r) => (
            <div key={r.index} className="contents">
              <span className="text-xs text-slate-500">{same ? "" : t("replica", { index: r.index })}</span>
              <dd>{t.has(`devices.${r.serving!.device}`) ? t(`devices.${r.serving!.device}`) : r.serving!.device}</dd>
              <dd>{t.has(`providers.${r.serving!.provider}`) ? t(`providers.${r.serving!.provider}`, { dtype: r.serving!.dtype ?? "" }) : r.serving!.provider}</dd>
              <dd className="font-mono">{r.serving!.precision}</dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
