"use client";

import { useTranslations } from "next-intl";
import { Badge, Card } from "../../../../_components/ui";
import type { ForgettingSection as Forgetting, SideScores as Side } from "~/server/services/experiments/forgetting";

/** A score with its change against the subject's base model (absolute and relative). */
function Scored({ value, delta, rel }: { value: number | null; delta: number | null; rel?: number | null }) {
  if (value === null) return <span>—</span>;
  return (
    <span>
      <span className="font-medium">{value.toFixed(4)}</span>
      {delta !== null && delta !== 0 ? (
        <span className={delta > 0 ? "ml-1 text-green-700" : "ml-1 text-red-700"}>
          {delta > 0 ? "+" : ""}{delta.toFixed(4)}{rel != null ? ` (${rel > 0 ? "+" : ""}${(rel * 100).toFixed(1)}%)` : ""}
        </span>
      ) : null}
    </span>
  );
}

const mrrRel = (s: Side) => (s.mrr !== null && s.baseMrr ? (s.mrr - s.baseMrr) / s.baseMrr : null);

/**
 * Forgetting guard: domain gain and general-domain loss side by side, each model against its base model;
 * a general nDCG@10 drop beyond the threshold is flagged (server/services/experiments/forgetting.ts).
 */
export function ForgettingSection({ data, mode }: { data: Forgetting | null; mode: string }) {
  const t = useTranslations("experiments.compareView.forgetting");
  if (!data) return <Card title={t("title")}><p className="text-sm text-slate-500" data-testid="forgetting-none">{t("noGeneral")}</p></Card>;
  const rows = data.rows[mode] ?? data.rows[data.modes[0] ?? ""] ?? [];
  return (
    <Card title={t("title")}>
      <p className="mb-2 text-xs text-slate-500">{t("help", { domain: data.domainVersionName ?? "—", general: data.generalVersionName ?? "—", threshold: data.threshold * 100 })}</p>
      <table className="w-full text-left text-sm" data-testid="forgetting-table">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="py-2">{t("model")}</th><th>{t("domainNdcg")}</th><th>{t("domainMrr")}</th><th>{t("generalNdcg")}</th><th>{t("generalMrr")}</th><th>{t("verdict")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className="border-t border-slate-100 text-xs" data-subject={r.key}>
              <td className="py-1">{r.label}</td>
              <td><Scored value={r.domain.ndcg} delta={r.domain.dNdcg} rel={r.domain.relNdcg} /></td>
              <td><Scored value={r.domain.mrr} delta={r.domain.dMrr} rel={mrrRel(r.domain)} /></td>
              <td><Scored value={r.general.ndcg} delta={r.general.dNdcg} rel={r.general.relNdcg} /></td>
              <td><Scored value={r.general.mrr} delta={r.general.dMrr} rel={mrrRel(r.general)} /></td>
              <td data-testid="forgetting-verdict">
                {r.forgetting === null ? "—" : r.forgetting ? <Badge value="FAILED" label={t("forgetting")} /> : <Badge value="SUCCEEDED" label={t("ok")} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
