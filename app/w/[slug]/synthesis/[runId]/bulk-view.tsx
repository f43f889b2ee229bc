"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Badge, Button, Card, Input, Select } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

const PAGE = 50;

/** Every candidate, filterable by status, round-trip rank, query length and reviewer. */
export function BulkView({ runId }: { runId: string }) {
  const t = useTranslations("synthesis.bulk");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const members = useQuery(trpc.member.list.queryOptions({ workspaceId: workspace.id }));
  const [status, setStatus] = useState<"" | "PENDING" | "ACCEPTED" | "REJECTED">("");
  const [maxRank, setMaxRank] = useState("");
  const [minLength, setMinLength] = useState("");
  const [maxLength, setMaxLength] = useState("");
  const [reviewerId, setReviewerId] = useState("");
  const [offset, setOffset] = useState(0);
  const num = (v: string) => (v === "" ? undefined : Number(v));
  const list = useQuery(trpc.synthesis.candidates.queryOptions({
    workspaceId: workspace.id, runId, offset, limit: PAGE,
    status: status || undefined, maxRoundTripRank: num(maxRank), minLength: num(minLength), maxLength: num(maxLength), reviewerId: reviewerId || undefined,
  }));
  const name = (id: string) => members.data?.find((m) => m.userId === id)?.email ?? id;
  const total = list.data?.total ?? 0;
  return (
    <Card>
      <div className="mb-3 flex flex-wrap items-end gap-2 text-xs">
        <label>{t("status")}<Select value={status} onChange={(e) => { setStatus(e.target.value as typeof status); setOffset(0); }}>
          <option value="">{t("any")}</option><option value="PENDING">{t("PENDING")}</option><option value="ACCEPTED">{t("ACCEPTED")}</option><option value="REJECTED">{t("REJECTED")}</option>
        </Select></label>
        <label className="w-28">{t("maxRank")}<Input type="number" min={1} value={maxRank} onChange={(e) => { setMaxRank(e.target.value); setOffset(0); }} /></label>
        <label className="w-28">{t("minLength")}<Input type="number" min={0} value={minLength} onChange={(e) => { setMinLength(e.target.value); setOffset(0); }} /></label>
        <label className="w-28">{t("maxLength")}<Input type="number" min={0} value={maxLength} onChange={(e) => { setMaxLength(e.target.value); setOffset(0); }} /></label>
        <label>{t("reviewer")}<Select value={reviewerId} onChange={(e) => { setReviewerId(e.target.value); setOffset(0); }}>
          <option value="">{t("any")}</option>
          {members.data?.map((m) => <option key={m.userId} value={m.userId}>{m.email}</option>)}
        </Select></label>
        <span className="ml-auto text-slate-500">{t("range", { from: total ? offset + 1 : 0, to: Math.min(offset + PAGE, total), total })}</span>
        <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(offset - PAGE)}>{t("previous")}</Button>
        <Button variant="secondary" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>{t("next")}</Button>
      </div>
      <table className="w-full table-fixed text-left text-sm" data-testid="candidates">
        <thead className="text-xs uppercase text-slate-500">
          <tr><th className="w-12 py-2">#</th><th>{t("query")}</th><th className="w-20">{t("rank")}</th><th className="w-28">{t("status")}</th><th className="w-64">{t("judgements")}</th></tr>
        </thead>
        <tbody>
          {list.data?.rows.map((c) => (
            <tr key={c.id} className="border-t border-slate-100 align-top">
              <td className="py-2 text-xs text-slate-500">{c.ordinal + 1}</td>
              <td className="py-2"><div>{c.query}</div><div className="line-clamp-1 text-xs text-slate-500">{c.chunkText}</div></td>
              <td>{c.roundTripRank ?? "—"}</td>
              <td><Badge value={c.status === "ACCEPTED" ? "SUCCEEDED" : c.status === "REJECTED" ? "FAILED" : "QUEUED"} label={t(c.status)} /></td>
              <td className="text-xs">{c.judgements.map((j) => `${name(j.reviewerId)}: ${j.decision === "ACCEPT" ? "✓" : "✗"}${j.grade ?? ""}`).join(" · ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
