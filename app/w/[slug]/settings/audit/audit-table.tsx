"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { Card } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

export function AuditTable() {
  const t = useTranslations("audit");
  const format = useFormatter();
  const workspace = useWorkspace();
  const allowed = useCan("EDITOR");
  const trpc = useTRPC();
  const audit = useQuery({ ...trpc.audit.list.queryOptions({ workspaceId: workspace.id, limit: 200 }), enabled: allowed });
  if (!allowed) return <Card title={t("title")}><p className="text-sm text-slate-600">{t("editorsOnly")}</p></Card>;
  return (
    <Card title={t("title")}>
      <table className="w-full text-left text-sm" data-testid="audit">
        <thead className="text-xs uppercase text-slate-500">
          <tr><th className="py-2">{t("when")}</th><th>{t("actor")}</th><th>{t("action")}</th><th>{t("target")}</th><th>{t("details")}</th></tr>
        </thead>
        <tbody>
          {audit.data?.map((row) => (
            <tr key={row.id} className="border-t border-slate-100">
              <td className="py-2 text-xs text-slate-500">{format.dateTime(row.createdAt, { dateStyle: "short", timeStyle: "short" })}</td>
              <td>{row.actor ?? "—"}</td>
              <td>{t.has(`actions.${row.action}`) ? t(`actions.${row.action}`) : row.action}</td>
              <td>{row.target ?? "—"}</td>
              <td className="text-xs text-slate-500">{JSON.stringify(row.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
