"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { Button, Card, Input, Select } from "../../../../../../_components/ui";
import { useWorkspace } from "../../../../../../_components/workspace-context";
import { useTRPC } from "../../../../../../_trpc/react";

const PAGE = 25;

/** Short readable text of a record; every value is rendered as text, never as HTML. */
function summary(type: string, data: Record<string, unknown>, judgement: (queryId: string, docId: string, relevance: string) => { main: string; detail: string }): { main: string; detail: string } {
  const first = (v: unknown) => (Array.isArray(v) ? String(v[0] ?? "") : String(v ?? ""));
  if (type === "pair") return { main: String(data.query ?? ""), detail: `+ ${first(data.pos)}${Array.isArray(data.neg) && data.neg.length ? `  |  − ${first(data.neg)} (${data.neg.length})` : ""}` };
  if (type === "qrel") return judgement(String(data.queryId), String(data.docId), String(data.relevance));
  return { main: String(data.title ?? data.text ?? data.query ?? ""), detail: data.title ? String(data.text ?? "") : "" };
}

export function RecordsTable({ versionId, types }: { versionId: string; types: string[] }) {
  const t = useTranslations("datasets.records");
  const format = useFormatter();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [type, setType] = useState(types[0] ?? "");
  const [split, setSplit] = useState("");
  const [offset, setOffset] = useState(0);
  const records = useQuery(
    trpc.dataset.records.queryOptions({ workspaceId: workspace.id, versionId, search: search || undefined, type: type || undefined, split: split || undefined, offset, limit: PAGE }),
  );
  const total = records.data?.total ?? 0;
  return (
    <Card title={t("title")}>
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <div className="w-64"><Input aria-label={t("search")} placeholder={t("search")} value={search} onChange={(e) => { setSearch(e.target.value); setOffset(0); }} /></div>
        {types.length > 1 ? (
          <Select aria-label={t("type")} value={type} onChange={(e) => { setType(e.target.value); setOffset(0); }}>
            {types.map((x) => <option key={x} value={x}>{t(`types.${x}`)}</option>)}
          </Select>
        ) : null}
        <Select aria-label={t("split")} value={split} onChange={(e) => { setSplit(e.target.value); setOffset(0); }}>
          <option value="">{t("allSplits")}</option>
          <option value="train">train</option>
          <option value="validation">validation</option>
          <option value="test">test</option>
        </Select>
        <span className="ml-auto text-xs text-slate-500" data-testid="records-range">{t("range", { from: format.number(total ? offset + 1 : 0), to: format.number(Math.min(offset + PAGE, total)), total: format.number(total) })}</span>
        <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t("previous")}</Button>
        <Button variant="secondary" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>{t("next")}</Button>
      </div>
      <table className="w-full table-fixed text-left text-sm" data-testid="records">
        <thead className="text-xs uppercase text-slate-500">
          <tr><th className="w-16 py-2">#</th><th className="w-24">{t("split")}</th><th>{t("content")}</th></tr>
        </thead>
        <tbody>
          {records.data?.rows.map((r) => {
            const s = summary(r.type, r.data as Record<string, unknown>, (queryId, docId, relevance) => ({
              main: r.queryText ? `${r.queryText} (${queryId})` : queryId,
              detail: t("judgement", { doc: r.docText ? `${r.docText.slice(0, 300)} (${docId})` : docId, relevance }),
            }));
            return (
              <tr key={r.id} className="border-t border-slate-100 align-top">
                <td className="py-2 text-xs text-slate-500">{r.ordinal + 1}</td>
                <td className="text-xs">{r.split ?? "—"}</td>
                <td className="py-2">
                  <div className="line-clamp-2">{s.main}</div>
                  {s.detail ? <div className="line-clamp-2 text-xs text-slate-500">{s.detail}</div> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}
