"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Card, Input, PageHeader, Select } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";
import { LineChart } from "../../../../_components/charts/line-chart";
import { Scatter } from "../../../../_components/charts/scatter-chart";
import { CommentsPanel } from "../_components/comments-panel";
import { DomainTermRecall } from "./domain-term-recall";
import { ForgettingSection } from "./forgetting-section";

/** Significance marks: * p < 0.05, ** p < 0.01, *** p < 0.001 (paired randomization test vs the first column). */
function stars(p: number | null) {
  if (p === null) return "";
  return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : "";
}

export function ComparePage({ subjects, evalVersionId, generalVersionId = null }: { subjects: string[]; evalVersionId: string | null; generalVersionId?: string | null }) {
  const t = useTranslations("experiments.compareView");
  const tSeries = useTranslations("experiments.series"); // the overlaid curves' titles ("in-batch training accuracy")
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [mode, setMode] = useState<"dense" | "sparse" | "colbert" | "hybrid">("dense");
  const data = useQuery({
    ...trpc.experiment.compare.queryOptions({ workspaceId: workspace.id, subjects, pMode: mode, ...(evalVersionId ? { evalVersionId } : {}), ...(generalVersionId ? { generalVersionId } : {}) }),
    enabled: subjects.length > 0,
    placeholderData: (prev) => prev,
  });
  const [diffOnly, setDiffOnly] = useState(true);
  const [k, setK] = useState<string>("all");
  if (subjects.length === 0) return <PageHeader title={t("title")} description={t("pickSubjects")} />;
  if (data.error) return <p className="text-sm text-red-600">{data.error.message}</p>;
  if (!data.data) return <p className="text-sm text-slate-500">{t("loading")}</p>;
  const d = data.data;
  const rows = (d.table[mode] ?? []).filter((r) => k === "all" || r.metric.endsWith(`@${k}`));
  const curveNames = [...new Set(d.curves.map((c) => c.name))];
  const labelOf = (experimentId: string) => d.subjects.find((s) => s.experimentId === experimentId)?.label ?? experimentId;
  return (
    <>
      <PageHeader title={t("title")} description={t("description", { queries: d.queryCount, permutations: d.permutations })} actions={<span className="text-xs text-slate-500" data-testid="share-url">{t("share")}</span>} />
      <Card title={t("metrics")}>
        <div className="mb-2 flex flex-wrap items-center gap-2 text-sm">
          {d.modes.map((m) => (
            <button key={m} type="button" onClick={() => setMode(m as typeof mode)} className={`rounded px-2 py-1 ${mode === m ? "bg-brand-600 text-white" : "bg-slate-100"}`} data-testid={`mode-${m}`}>{t(`modes.${m}`)}</button>
          ))}
          <Select value={k} onChange={(e) => setK(e.target.value)} aria-label={t("cutoff")} className="w-24 rounded border px-2 py-1">
            {["all", "1", "3", "5", "10", "20", "100"].map((x) => <option key={x} value={x}>{x === "all" ? t("allK") : `@${x}`}</option>)}
          </Select>
        </div>
        {d.modes.length === 0 ? <p className="text-sm text-slate-500">{t("noResults")}</p> : (
          <table className="w-full text-left text-sm" data-testid="compare-table">
            <thead className="text-xs uppercase text-slate-500">
              <tr><th className="py-2">{t("metric")}</th>{d.subjects.map((s) => <th key={s.key} className="normal-case" data-testid="subject-label">{s.label}</th>)}</tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.metric} className="border-t border-slate-100" data-metric={r.metric}>
                  <td className="py-1 font-mono text-xs">{r.metric}</td>
                  {r.values.map((v, i) => (
                    <td key={i} className="text-xs">
                      <span className="font-medium">{v === null ? "—" : v.toFixed(4)}</span>
                      {i > 0 && r.delta[i] !== null ? (
                        <span className={r.delta[i]! > 0 ? "ml-1 text-green-700" : r.delta[i]! < 0 ? "ml-1 text-red-700" : "ml-1 text-slate-500"}>
                          {r.delta[i]! >= 0 ? "+" : ""}{r.delta[i]!.toFixed(4)}
                          {r.pct[i] !== null ? ` (${r.pct[i]! >= 0 ? "+" : ""}${r.pct[i]!.toFixed(1)}%)` : ""}
                          {r.p[i] !== null ? <span title={`p = ${r.p[i]!.toFixed(4)}`}> {stars(r.p[i]!)} <span className="text-slate-500">p={r.p[i]!.toFixed(3)}</span></span> : null}
                        </span>
                      ) : null}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="mt-2 text-xs text-slate-500">{t("legend")}</p>
      </Card>
      <div className="mt-4" data-testid="forgetting"><ForgettingSection data={d.forgetting} mode={mode} /></div>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card title={t("config")} actions={<label className="text-xs"><input type="checkbox" checked={diffOnly} onChange={(e) => setDiffOnly(e.target.checked)} /> {t("differencesOnly")}</label>}>
          <table className="w-full text-left text-xs" data-testid="config-diff">
            <thead><tr><th className="py-1">{t("field")}</th>{d.subjects.map((s) => <th key={s.key}>{s.label}</th>)}</tr></thead>
            <tbody>
              {d.configDiff.filter((c) => !diffOnly || c.differs).map((c) => (
                <tr key={c.field} className={`border-t border-slate-100 ${c.differs ? "bg-amber-50" : ""}`}><td className="py-1 font-mono">{c.field}</td>{c.values.map((v, i) => <td key={i} className="max-w-48 break-all font-mono">{v ?? "—"}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title={t("errors")}>
          <table className="w-full text-left text-xs" data-testid="error-analysis">
            <thead><tr><th className="py-1">{t("category")}</th>{d.subjects.map((s) => <th key={s.key}>{s.label}</th>)}</tr></thead>
            <tbody>
              {["complete_failure", "partial_failure", "ranking_issue"].map((cat) => (
                <tr key={cat} className="border-t border-slate-100">
                  <td className="py-1">{t(`categories.${cat}`)}</td>
                  {(d.errorAnalysis[mode] ?? []).map((ea, i) => {
                    const e = ea as { counts?: Record<string, number>; shares?: Record<string, number> } | null;
                    return <td key={i}>{e?.counts ? `${e.counts[cat]} (${((e.shares?.[cat] ?? 0) * 100).toFixed(1)}%)` : "—"}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
      {curveNames.length ? (
        <div className="mt-4 grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3" data-testid="overlaid-curves">
          {curveNames.map((n) => <LineChart key={n} title={tSeries.has(n) ? tSeries(n) : n} series={d.curves.filter((c) => c.name === n).map((c) => ({ label: labelOf(c.experimentId), points: c.points }))} />)}
        </div>
      ) : null}
      <div className="mt-4 grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="scatter">
        {d.projections.map((p, i) => {
          const pts = (p as { points?: Array<[number, number]> } | null)?.points;
          return pts?.length ? <Scatter key={i} title={`${d.subjects[i]!.label} (PCA)`} points={pts.map(([x, y]) => ({ x, y }))} /> : null;
        })}
      </div>
      {d.evalVersionId && d.subjects.length >= 2 ? <PerQuery evalVersionId={d.evalVersionId} subjects={d.subjects} modes={d.modes} /> : null}
      {d.evalVersionId && d.modes.length ? <div className="mt-4"><DomainTermRecall evalVersionId={d.evalVersionId} subjects={d.subjects.map((s) => s.key)} modes={d.modes} /></div> : null}
      <div className="mt-4"><CommentsPanel target={{ kind: "comparison", subjects: d.subjects.map((s) => s.key), evalVersionId: d.evalVersionId }} /></div>
    </>
  );
}

function PerQuery({ evalVersionId, subjects, modes }: { evalVersionId: string; subjects: Array<{ key: string; label: string }>; modes: string[] }) {
  const t = useTranslations("experiments.compareView");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [a, setA] = useState(subjects[0]!.key);
  const [b, setB] = useState(subjects[1]!.key);
  const [mode, setMode] = useState(modes[0] ?? "dense");
  const [filter, setFilter] = useState<"all" | "win" | "loss" | "tie">("all");
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const view = useQuery(trpc.experiment.perQuery.queryOptions({ workspaceId: workspace.id, evalVersionId, a, b, mode: mode as "dense", filter, search: search || undefined, offset, limit: 25 }));
  return (
    <Card title={t("perQuery")}>
      <div className="mb-2 flex flex-wrap items-center gap-2 text-sm" data-testid="per-query">
        <Select value={a} onChange={(e) => setA(e.target.value)} aria-label={t("before")} className="w-48 rounded border px-2 py-1">{subjects.map((s) => <option key={s.key} value={s.key}>{s.label}</option>)}</Select>
        <span>→</span>
        <Select value={b} onChange={(e) => setB(e.target.value)} aria-label={t("after")} className="w-48 rounded border px-2 py-1">{subjects.map((s) => <option key={s.key} value={s.key}>{s.label}</option>)}</Select>
        <Select value={mode} onChange={(e) => setMode(e.target.value)} aria-label={t("mode")} className="w-32 rounded border px-2 py-1">{modes.map((m) => <option key={m} value={m}>{m}</option>)}</Select>
        {(["all", "win", "loss", "tie"] as const).map((f) => (
          <button key={f} type="button" onClick={() => { setFilter(f); setOffset(0); }} className={`rounded px-2 py-1 ${filter === f ? "bg-brand-600 text-white" : "bg-slate-100"}`} data-testid={`filter-${f}`}>
            {t(`filters.${f}`)}{view.data && f !== "all" ? ` (${view.data.counts[f]})` : ""}
          </button>
        ))}
        <span className="w-56"><Input value={search} onChange={(e) => { setSearch(e.target.value); setOffset(0); }} placeholder={t("search")} aria-label={t("search")} /></span>
      </div>
      <table className="w-full text-left text-xs" data-testid="per-query-table">
        <thead className="uppercase text-slate-500"><tr><th className="py-1">{t("query")}</th><th>{t("rankBefore")}</th><th>{t("rankAfter")}</th><th>nDCG@10</th><th>{t("outcome")}</th><th>{t("relevantDoc")}</th></tr></thead>
        <tbody>
          {view.data?.rows.map((r) => (
            <tr key={r.qid} className="border-t border-slate-100 align-top">
              <td className="py-1 pr-2"><span className="font-mono text-slate-500">{r.qid}</span> {r.query}</td>
              <td>{r.rankA ?? ">100"}</td><td>{r.rankB ?? ">100"}</td>
              <td>{r.ndcgA.toFixed(3)} → {r.ndcgB.toFixed(3)}</td>
              <td className={r.outcome === "win" ? "text-green-700" : r.outcome === "loss" ? "text-red-700" : ""}>{t(`filters.${r.outcome}`)}</td>
              <td className="max-w-md text-slate-600">{r.relevantDoc.slice(0, 240)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.data ? (
        <div className="mt-2 flex items-center gap-2 text-xs">
          <span>{t("showing", { from: Math.min(view.data.total, offset + 1), to: Math.min(view.data.total, offset + 25), total: view.data.total })}</span>
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - 25))} className="underline disabled:opacity-40">{t("prev")}</button>
          <button type="button" disabled={offset + 25 >= view.data.total} onClick={() => setOffset(offset + 25)} className="underline disabled:opacity-40">{t("next")}</button>
        </div>
      ) : null}
    </Card>
  );
}
