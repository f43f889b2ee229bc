"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { Card } from "../../../../_components/ui";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";
import { firstUnreviewedIndex } from "./review-start";

type Mine = { decision: string; grade: number | null; editedQuery: string | null } | null;

/**
 * One candidate at a time, keyboard first: A accept, R reject, 0–3 grade, E edit the query
 * (Enter saves), J/→ next, K/← previous, U undo. LLM text is shown as plain text.
 */
export function FocusView({ runId }: { runId: string }) {
  const t = useTranslations("synthesis.review");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queue = useQuery(trpc.synthesis.queue.queryOptions({ workspaceId: workspace.id, runId }));
  const [index, setIndex] = useState(0);
  const [grade, setGrade] = useState<number | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const undoStack = useRef<{ candidateId: string; previous: Mine; index: number }[]>([]);
  const editRef = useRef<HTMLInputElement>(null);
  const refresh = useCallback(() => queryClient.invalidateQueries({ queryKey: trpc.synthesis.queue.queryKey() }), [queryClient, trpc]);
  const judge = useMutation(trpc.synthesis.judge.mutationOptions({ onSuccess: refresh }));
  const undo = useMutation(trpc.synthesis.undo.mutationOptions({ onSuccess: refresh }));
  const items = queue.data ?? [];
  const item = items[Math.min(index, Math.max(0, items.length - 1))];
  const done = items.filter((i) => i.mine).length;
  // Open once at the first unreviewed candidate; later refetches (after each judgement) do not move the cursor.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current || !queue.data) return;
    opened.current = true;
    setIndex(firstUnreviewedIndex(queue.data));
  }, [queue.data]);

  useEffect(() => {
    setGrade(item?.mine?.grade ?? null);
    setDraft(item?.mine?.editedQuery ?? item?.query ?? "");
    setEditing(false);
  }, [item?.id, item?.mine?.grade, item?.mine?.editedQuery, item?.query]);

  const decide = useCallback((decision: "ACCEPT" | "REJECT", editedQuery?: string) => {
    if (!item) return;
    undoStack.current.push({ candidateId: item.id, previous: item.mine, index });
    const g = grade ?? (decision === "ACCEPT" ? 3 : 0);
    const edit = editedQuery ?? (draft !== item.query ? draft : null);
    judge.mutate({ workspaceId: workspace.id, candidateId: item.id, decision, grade: g, editedQuery: edit || null });
    setIndex((i) => Math.min(i + 1, items.length - 1));
  }, [item, index, grade, draft, judge, workspace.id, items.length]);

  const undoLast = useCallback(() => {
    const last = undoStack.current.pop();
    if (!last) return;
    if (last.previous) judge.mutate({ workspaceId: workspace.id, candidateId: last.candidateId, decision: last.previous.decision as "ACCEPT", grade: last.previous.grade, editedQuery: last.previous.editedQuery });
    else undo.mutate({ workspaceId: workspace.id, candidateId: last.candidateId });
    setIndex(last.index);
  }, [judge, undo, workspace.id]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (editing || event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
      const key = event.key.toLowerCase();
      if (key === "a") decide("ACCEPT");
      else if (key === "r") decide("REJECT");
      else if (["0", "1", "2", "3"].includes(key)) setGrade(Number(key));
      else if (key === "j" || key === "arrowright") setIndex((i) => Math.min(i + 1, items.length - 1));
      else if (key === "k" || key === "arrowleft") setIndex((i) => Math.max(i - 1, 0));
      else if (key === "u" || (key === "z" && (event.ctrlKey || event.metaKey))) undoLast();
      else if (key === "e") {
        setEditing(true);
        setTimeout(() => editRef.current?.focus(), 0);
      } else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [decide, undoLast, editing, items.length]);

  if (queue.isLoading) return null;
  if (!item) return <Card><p className="text-sm text-slate-600">{t("empty")}</p></Card>;
  return (
    <Card title={t("title", { n: Math.min(index, items.length - 1) + 1, total: items.length })} actions={<span className="text-xs text-slate-500" data-testid="review-progress">{t("done", { done, total: items.length })}</span>}>
      <div className="space-y-4" data-testid="focus-view">
        <div>
          <div className="text-xs uppercase text-slate-500">{t("query")}</div>
          {editing ? (
            <input
              ref={editRef}
              aria-label={t("editQuery")}
              className="mt-1 w-full rounded border border-brand-500 px-2 py-1 text-base"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") { e.preventDefault(); setEditing(false); decide("ACCEPT", draft); }
                if (e.key === "Escape") { setEditing(false); setDraft(item.query); }
              }}
            />
          ) : (
            <p className="mt-1 text-base font-medium" data-testid="candidate-query">{draft || item.query}</p>
          )}
          <p className="mt-1 text-xs text-slate-500">{t("meta", { origin: t.has(`origins.${item.origin}`) ? t(`origins.${item.origin}`) : item.origin, rank: item.roundTripRank ?? "—" })}</p>
        </div>
        <div>
          <div className="text-xs uppercase text-slate-500">{t("passage")}</div>
          <p className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 text-sm">{item.chunkText}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-xs text-slate-500">{t("grade")}</span>
          {[0, 1, 2, 3].map((g) => (
            <button key={g} onClick={() => setGrade(g)} className={`h-8 w-8 rounded border ${grade === g ? "border-brand-600 bg-brand-50 font-bold" : "border-slate-300"}`}>{g}</button>
          ))}
          <span className="ml-4" data-testid="my-decision">{item.mine ? t(`decision.${item.mine.decision}`) : t("undecided")}</span>
        </div>
        <div className="flex flex-wrap gap-2 text-xs text-slate-500">
          <button className="rounded border border-green-600 px-2 py-1 text-green-700" onClick={() => decide("ACCEPT")}>{t("accept")} (A)</button>
          <button className="rounded border border-red-600 px-2 py-1 text-red-700" onClick={() => decide("REJECT")}>{t("reject")} (R)</button>
          <span className="self-center">{t("shortcuts")}</span>
        </div>
      </div>
    </Card>
  );
}
