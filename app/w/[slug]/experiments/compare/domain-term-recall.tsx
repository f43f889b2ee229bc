"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Card, Select } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";
import { GlossaryEditor } from "./glossary-editor";

const METRICS = ["recall@10", "ndcg@10"] as const;
const fmt = (v: number | null) => (v === null ? "—" : v.toFixed(4));

function Delta({ value }: { value: number | null }) {
  if (value === null) return null;
  const cls = value > 0 ? "text-green-700" : value < 0 ? "text-red-700" : "text-slate-500";
  return <span className={`ml-1 ${cls}`}>{value >= 0 ? "+" : ""}{value.toFixed(4)}</span>;
}

/**
 * Domain-term recall: recall@10 and nDCG@10 restricted to the queries that contain a glossary term, for all of
 * them and per term (most frequent first), with the delta against the first subject. Computed from the stored
 * per-query results; no new evaluation.
 */
export function DomainTermRecall({ evalVersionId, subjects, modes }: { evalVersionId: string; subjects: string[]; modes: string[] }) {
  const t = useTranslations("glossary");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [mode, setMode] = useState(modes[0] ?? "dense");
  const [editing, setEditing] = useState(false);
  const input = { workspaceId: workspace.id, subjects, evalVersionId, mode: mode as "dense", topTerms: 15 };
  const recall = useQuery({ ...trpc.glossary.recall.queryOptions(input), placeholderData: (prev) => prev });
  const d = recall.data;
  return (
    <Card
      title={t("title")}
      actions={<button type="button" className="text-xs text-brand-600 underline" onClick={() => setEditing(!editing)} data-testid="edit-glossary">{editing ? t("hideGlossary") : t("editGlossary")}</button>}
    >
      <div data-testid="domain-term-recall">
        {editing ? <div className="mb-4"><GlossaryEditor onSaved={() => void qc.invalidateQueries({ queryKey: trpc.glossary.recall.queryKey(input) })} /></div> : null}
        {!d ? <p className="text-sm text-slate-500">{t("loading")}</p> : d.glossarySize === 0 ? (
          <p className="text-sm text-slate-500">{t("empty")}</p>
        ) : (
          <>
            <div className="mb-2 flex items-center gap-2 text-xs text-slate-600">
              <Select value={mode} onChange={(e) => setMode(e.target.value)} aria-label={t("mode")} className="w-32 rounded border px-2 py-1">
                {modes.map((m) => <option key={m} value={m}>{m}</option>)}
              </Select>
              <span>{t("summary", { terms: d.termsFound, glossary: d.glossarySize, queries: d.rows[0]?.queries ?? 0, total: d.evaluatedQueries })}</span>
            </div>
            {(d.rows[0]?.queries ?? 0) === 0 ? <p className="text-sm text-slate-500">{t("noMatches")}</p> : (
              <table className="w-full text-left text-xs" data-testid="domain-term-table">
                <thead className="uppercase text-slate-500">
                  <tr>
                    <th className="py-1">{t("term")}</th>
                    <th>{t("queries")}</th>
                    {d.subjects.map((s) => <th key={s.key} colSpan={METRICS.length} className="normal-case">{s.label}</th>)}
                  </tr>
                  <tr>
                    <th /><th />
                    {d.subjects.flatMap((s) => METRICS.map((m) => <th key={`${s.key}-${m}`} className="font-mono normal-case">{m}</th>))}
                  </tr>
                </thead>
                <tbody>
                  {d.rows.map((r) => (
                    <tr key={r.term ?? "*"} className={`border-t border-slate-100 ${r.term === null ? "font-medium" : ""}`} data-term={r.term ?? "*"}>
                      <td className="py-1">{r.term ?? t("anyTerm")}</td>
                      <td>{r.queries}</td>
                      {r.values.flatMap((v, i) => METRICS.map((m) => (
                        <td key={`${i}-${m}`}>{fmt(v[m] ?? null)}{i > 0 ? <Delta value={r.delta[i]?.[m] ?? null} /> : null}</td>
                      )))}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p className="mt-2 text-xs text-slate-500">{t("legend")}</p>
          </>
        )}
      </div>
    </Card>
  );
}
