"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { Button, Card } from "../../../../_components/ui";
import { SubmitButton } from "../../../../_components/submit-button";
import { useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage, fieldErrors } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";

/** What a thread is about: a run, or a comparison (its subjects and evaluation version, as in the compare URL). */
export type CommentTarget =
  | { kind: "run"; experimentId: string }
  | { kind: "comparison"; subjects: string[]; evalVersionId: string | null };

const MAX = 4000;
const problem = (error: unknown) => (error ? (fieldErrors(error).body ?? errorMessage(error)) : null);

/** Comments on a run or a comparison; every member reads and writes (bodies are shown as text, never HTML). */
export function CommentsPanel({ target }: { target: CommentTarget }) {
  const t = useTranslations("collab");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const input = { workspaceId: workspace.id, target };
  const list = useQuery({ ...trpc.comment.list.queryOptions(input), refetchInterval: 15_000 });
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.comment.list.queryKey(input) });
  const [draft, setDraft] = useState("");
  const create = useMutation(trpc.comment.create.mutationOptions({ onSuccess: () => { setDraft(""); refresh(); } }));
  return (
    <Card title={t("comments")}>
      <ul className="space-y-3" data-testid="comments">
        {list.data?.length === 0 ? <li className="text-sm text-slate-500">{t("noComments")}</li> : null}
        {list.data?.map((c) => <CommentItem key={c.id} comment={c} onChanged={refresh} />)}
      </ul>
      <form
        className="mt-4 space-y-2"
        onSubmit={(e) => { e.preventDefault(); create.mutate({ ...input, body: draft }); }}
      >
        <textarea
          className="h-20 w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-brand-500 focus:outline-none"
          value={draft}
          maxLength={MAX}
          onChange={(e) => setDraft(e.target.value)}
          placeholder={t("placeholder")}
          aria-label={t("newComment")}
        />
        <div className="flex items-center gap-3">
          <SubmitButton disabled={create.isPending || draft.trim() === ""} data-testid="post-comment">{t("post")}</SubmitButton>
          <span className="text-xs text-slate-500">{t("charsLeft", { n: MAX - draft.length })}</span>
          {problem(create.error) ? <span role="alert" className="text-xs text-red-600">{problem(create.error)}</span> : null}
        </div>
      </form>
    </Card>
  );
}

interface CommentView {
  id: string;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  author: { id: string; name: string | null; email: string | null };
  canEdit: boolean;
  canDelete: boolean;
}

function CommentItem({ comment, onChanged }: { comment: CommentView; onChanged: () => void }) {
  const t = useTranslations("collab");
  const format = useFormatter();
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(comment.body);
  const update = useMutation(trpc.comment.update.mutationOptions({ onSuccess: () => { setEditing(false); onChanged(); } }));
  const remove = useMutation(trpc.comment.delete.mutationOptions({ onSuccess: onChanged }));
  const when = (d: Date) => format.dateTime(new Date(d), { dateStyle: "medium", timeStyle: "short" });
  return (
    <li className="rounded-md border border-slate-100 bg-slate-50 p-3" data-testid="comment">
      <div className="flex items-center gap-2 text-xs text-slate-500">
        <span className="font-medium text-slate-700">{comment.author.name ?? comment.author.email ?? t("formerMember")}</span>
        <span>{when(comment.createdAt)}</span>
        {comment.editedAt ? <span title={when(comment.editedAt)}>{t("edited")}</span> : null}
        <span className="ml-auto space-x-2">
          {comment.canEdit && !editing ? <button type="button" className="text-brand-600 underline" onClick={() => { setText(comment.body); setEditing(true); }}>{t("edit")}</button> : null}
          {comment.canDelete ? (
            <button type="button" className="text-red-600 underline" disabled={remove.isPending} onClick={() => { if (window.confirm(t("confirmDelete"))) remove.mutate({ workspaceId: workspace.id, commentId: comment.id }); }}>{t("delete")}</button>
          ) : null}
        </span>
      </div>
      {editing ? (
        <div className="mt-2 space-y-2">
          <textarea className="h-20 w-full rounded-md border border-slate-300 px-3 py-2 text-sm" value={text} maxLength={MAX} onChange={(e) => setText(e.target.value)} aria-label={t("editComment")} />
          <div className="flex items-center gap-2">
            <Button type="button" onClick={() => update.mutate({ workspaceId: workspace.id, commentId: comment.id, body: text })} disabled={update.isPending || text.trim() === ""}>{t("save")}</Button>
            <Button type="button" variant="secondary" onClick={() => setEditing(false)}>{t("cancel")}</Button>
            {problem(update.error) ? <span role="alert" className="text-xs text-red-600">{problem(update.error)}</span> : null}
          </div>
        </div>
      ) : (
        // Plain text: whitespace kept, markup shown as typed.
        <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-800" data-testid="comment-body">{comment.body}</p>
      )}
      {problem(remove.error) ? <p role="alert" className="mt-1 text-xs text-red-600">{problem(remove.error)}</p> : null}
    </li>
  );
}
