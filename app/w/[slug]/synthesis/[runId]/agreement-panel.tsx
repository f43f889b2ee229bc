"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Card } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

const TARGET = 0.6;

/** Cohen's kappa per pair of reviewers on the items both judged (target κ ≥ 0.6). */
export function AgreementPanel({ runId }: { runId: string }) {
  const t = useTranslations("synthesis.agreement");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const agreement = useQuery(trpc.synthesis.agreement.queryOptions({ workspaceId: workspace.id, runId }));
  const fmt = (k: number | null) => (k === null ? "—" : k.toFixed(2));
  return (
    <Card title={t("title")}>
      <p className="mb-3 text-xs text-slate-500">{t("explain", { target: TARGET })}</p>
      {agreement.data && agreement.data.pairs.length === 0 ? <p className="text-sm text-slate-600">{t("none")}</p> : (
        <table className="w-full text-left text-sm" data-testid="agreement">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-2">{t("pair")}</th><th>{t("shared")}</th><th>{t("decisionKappa")}</th><th>{t("gradeKappa")}</th><th>{t("verdict")}</th></tr>
          </thead>
          <tbody>
            {agreement.data?.pairs.map((p) => (
              <tr key={`${p.a}-${p.b}`} className="border-t border-slate-100">
                <td className="py-2">{p.aEmail} · {p.bEmail}</td>
                <td>{p.shared}</td>
                <td data-testid="kappa">{fmt(p.decisionKappa)}</td>
                <td>{fmt(p.gradeKappa)}</td>
                <td className={p.decisionKappa !== null && p.decisionKappa >= TARGET ? "text-green-700" : "text-amber-700"}>{p.decisionKappa === null ? "—" : p.decisionKappa >= TARGET ? t("ok") : t("low")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
