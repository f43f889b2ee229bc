"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRelativeTime } from "../../../_components/relative-time";
import Link from "next/link";
import { Badge, Card, EmptyState, PageHeader } from "../../../_components/ui";
import { useWorkspace } from "../../../_components/workspace-context";
import { useTRPC } from "../../../_trpc/react";
import { useCan } from "../../../_components/workspace-context";
import { NewEvaluation } from "./new-evaluation";

export function EvaluationsList() {
  const t = useTranslations("evaluations");
  const ts = useTranslations("sections.evaluations");
  const tr = useTranslations("experiments");
  const relative = useRelativeTime();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const canEdit = useCan("EDITOR");
  const list = useQuery({ ...trpc.evaluation.list.queryOptions({ workspaceId: workspace.id }), refetchInterval: 5000 });
  return (
    <>
      <PageHeader title={ts("title")} description={ts("description")} />
      {canEdit ? <div className="mb-4"><NewEvaluation /></div> : null}
      {list.data && list.data.length === 0 ? <EmptyState title={ts("emptyTitle")} body={ts("emptyBody")} /> : (
        <Card>
          <p className="mb-2 text-xs text-slate-500">{t("contract")}</p>
          <table className="w-full text-left text-sm" data-testid="evaluations">
            <thead className="text-xs uppercase text-slate-500">
              <tr><th className="py-2">{t("name")}</th><th>{t("status")}</th><th>{t("data")}</th><th>{t("modes")}</th><th>{t("subjects")}</th><th>{t("created")}</th><th /></tr>
            </thead>
            <tbody>
              {list.data?.map((e) => {
                const subjects = e.subjects as Array<{ kind: string; id: string; label: string }>;
                const href = `/w/${workspace.slug}/experiments/compare?s=${encodeURIComponent(subjects.map((s) => `${s.kind === "base" ? "base" : "ckpt"}:${s.id}`).join(","))}&v=${e.evalVersionId}`;
                return (
                  <tr key={e.id} className="border-t border-slate-100 align-top">
                    <td className="py-2">{e.experimentId ? <Link className="text-brand-600 underline" href={`/w/${workspace.slug}/experiments/${e.experimentId}`}>{e.name}</Link> : e.name}</td>
                    <td><Badge value={e.status} label={tr(`statuses.${e.status}`)} /></td>
                    <td className="text-xs">{e.evalVersionName}</td>
                    <td className="text-xs">{e.modes.join(", ")}</td>
                    <td className="text-xs">
                      {subjects.map((s) => {
                        const r = e.dense.find((x) => x.kind === s.kind && x.id === s.id);
                        return <div key={`${s.kind}:${s.id}`}>{s.label}: {r?.ndcg10 != null ? `nDCG@10 ${r.ndcg10.toFixed(4)} · MRR@10 ${r.mrr10?.toFixed(4)}` : "—"}</div>;
                      })}
                    </td>
                    <td className="text-xs text-slate-500">{relative(e.createdAt)}</td>
                    <td><Link className="text-sm text-brand-600 underline" href={href}>{t("compare")}</Link></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
