"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";

/** The run's pinned note (its description): shown to everyone, edited by editors. Plain text. */
export function RunNote({ experimentId }: { experimentId: string }) {
  const t = useTranslations("collab");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const qc = useQueryClient();
  const input = { workspaceId: workspace.id, experimentId };
  // Same query (and cache entry) as the run page: no extra request.
  const detail = useQuery(trpc.experiment.get.queryOptions(input));
  const note = detail.data?.run.notes ?? "";
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const save = useMutation(trpc.experiment.setNote.mutationOptions({
    onSuccess: () => { setEditing(false); void qc.invalidateQueries({ queryKey: trpc.experiment.get.queryKey(input) }); },
  }));
  if (!detail.data || (!note && !canEdit)) return null;
  const problem = save.error ? (fieldErrors(save.error).note ?? errorMessage(save.error)) : null;
  return (
    <section className="mb-4 rounded-lg border border-amber-200 bg-amber-50 p-4" data-testid="run-note">
      <div className="flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold text-amber-900">{t("note")}</h2>
        {canEdit && !editing ? <button type="button" className="text-xs text-brand-600 underline" onClick={() => { setText(note); setEditing(true); }}>{note ? t("editNote") : t("addNote")}</button> : null}
      </div>
      {editing ? (
        <div className="mt-2 space-y-2">
          <textarea className="h-24 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm" value={text} maxLength={4000} onChange={(e) => setText(e.target.value)} aria-label={t("note")} placeholder={t("notePlaceholder")} />
          <div className="flex items-center gap-2">
            <Button type="button" onClick={() => save.mutate({ ...input, note: text })} disabled={save.isPending}>{t("save")}</Button>
            <Button type="button" variant="secondary" onClick={() => setEditing(false)}>{t("cancel")}</Button>
            {problem ? <span role="alert" className="text-xs text-red-600">{problem}</span> : null}
          </div>
        </div>
      ) : note ? (
        <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-800" data-testid="run-note-text">{note}</p>
      ) : (
        <p className="mt-1 text-sm text-slate-500">{t("noNote")}</p>
      )}
    </section>
  );
}
