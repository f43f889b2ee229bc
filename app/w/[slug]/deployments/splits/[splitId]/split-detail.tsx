"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Badge, Button, Card, PageHeader } from "../../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../../_components/workspace-context";
import { useTRPC } from "../../../../../_trpc/react";
import { STATUS_BADGE } from "../../deployments-home";

const ms = (v: number | null) => (v === null ? "—" : `${v.toFixed(v < 10 ? 1 : 0)} ms`);

/** One experiment endpoint: its URL, the weight control and the per-variant counters. */
export function SplitDetail({ splitId }: { splitId: string }) {
  const t = useTranslations("deployments.splits");
  const td = useTranslations("deployments");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const router = useRouter();
  const input = { workspaceId: workspace.id, splitId };
  const split = useQuery({ ...trpc.deployment.split.queryOptions(input), refetchInterval: 2000 });
  const [weightB, setWeightB] = useState<number | null>(null);
  const save = useMutation(trpc.deployment.setSplitWeight.mutationOptions({ onSuccess: () => void split.refetch() }));
  const remove = useMutation(trpc.deployment.deleteSplit.mutationOptions({ onSuccess: () => router.push(`/w/${workspace.slug}/deployments`) }));
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  if (split.error) return <p role="alert" className="text-sm text-red-600">{split.error.message}</p>;
  if (!split.data) return null;
  const s = split.data;
  const weight = weightB ?? s.weightB;
  const total = s.variants.reduce((n, v) => n + v.requests, 0);
  const url = `${origin}/api/splits/${s.id}`;
  const curl = `curl -s ${url}/v1/embeddings \\\n  -H "Authorization: Bearer $M3_API_KEY" -H "X-User: user-42" \\\n  -H "Content-Type: application/json" \\\n  -d '{"input":["What is BGE M3?"]}'`;
  return (
    <>
      <PageHeader title={s.name} description={t("explain")} />
      <div className="space-y-6">
        <Card title={t("url")}>
          <p className="font-mono text-sm" data-testid="split-url">{url}/v1</p>
          <p className="mt-3 text-sm font-medium">{t("curl")}</p>
          <pre className="mt-1 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{curl}</pre>
        </Card>
        <Card title={t("weight")}>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span>A {100 - weight}%</span>
            <input type="range" min={0} max={100} step={5} value={weight} disabled={!canEdit} aria-label={t("weightB")} onChange={(e) => setWeightB(Number(e.target.value))} />
            <span>B {weight}%</span>
            {canEdit ? <Button variant="secondary" disabled={weight === s.weightB || save.isPending} onClick={() => save.mutate({ ...input, weightB: weight })}>{t("save")}</Button> : null}
            {canEdit ? <Button variant="danger" onClick={() => remove.mutate(input)}>{t("delete")}</Button> : null}
          </div>
          {save.error ?? remove.error ? <p role="alert" className="mt-2 text-sm text-red-600">{(save.error ?? remove.error)!.message}</p> : null}
        </Card>
        <Card title={t("title")}>
          <table className="w-full text-left text-sm" data-testid="split-variants">
            <thead className="text-xs uppercase text-slate-500">
              <tr><th className="py-2">{t("variant")}</th><th>{t("deployment")}</th><th>{t("weight")}</th><th>{t("requests")}</th><th>{t("share")}</th><th>{t("errors")}</th><th>{t("latency")}</th></tr>
            </thead>
            <tbody>
              {s.variants.map((v) => (
                <tr key={v.variant} className="border-t border-slate-100">
                  <td className="py-2 font-medium">{v.variant}</td>
                  <td>
                    {v.deployment ? <>{v.deployment.name} <span className="text-xs text-slate-500">{v.deployment.quantization}</span> <Badge value={STATUS_BADGE[v.deployment.status] ?? v.deployment.status} label={td(`statuses.${v.deployment.status}`)} /></> : "—"}
                  </td>
                  <td>{v.weight}%</td>
                  <td data-testid={`requests-${v.variant}`}>{v.requests}</td>
                  <td>{total ? `${((v.requests / total) * 100).toFixed(1)}%` : "—"}</td>
                  <td>{v.errors}</td>
                  <td className="text-xs">{ms(v.meanLatencyMs)} / ≤{ms(v.p50Ms)} / ≤{ms(v.p95Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mt-2 text-xs text-slate-500">{t("statsNote")}</p>
        </Card>
      </div>
    </>
  );
}
