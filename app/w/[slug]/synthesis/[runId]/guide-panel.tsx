"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { Button, Card } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

/** The guide is Markdown (headings, lists, tables); react-markdown renders it without injecting raw HTML. */
const COMPONENTS: Components = {
  h1: ({ children }) => <h3 className="mb-2 mt-3 text-sm font-semibold">{children}</h3>,
  h2: ({ children }) => <h4 className="mb-1 mt-3 text-sm font-semibold">{children}</h4>,
  h3: ({ children }) => <h5 className="mb-1 mt-2 text-xs font-semibold">{children}</h5>,
  p: ({ children }) => <p className="my-2 leading-relaxed">{children}</p>,
  ul: ({ children }) => <ul className="my-2 list-disc space-y-0.5 pl-5">{children}</ul>,
  ol: ({ children }) => <ol className="my-2 list-decimal space-y-0.5 pl-5">{children}</ol>,
  table: ({ children }) => <div className="my-2 overflow-auto"><table className="w-full text-left">{children}</table></div>,
  th: ({ children }) => <th className="border-b border-slate-300 px-1 py-0.5 font-semibold">{children}</th>,
  td: ({ children }) => <td className="border-b border-slate-100 px-1 py-0.5 align-top">{children}</td>,
  code: ({ children }) => <code className="rounded bg-slate-100 px-1 font-mono">{children}</code>,
  a: ({ href, children }) => <a className="text-brand-600 underline" href={href} target="_blank" rel="noopener noreferrer">{children}</a>,
};

/** The labelling guide beside the queue, rendered from its Markdown; editors can change it. */
export function GuidePanel({ runId, guide, compact = false }: { runId: string; guide: string; compact?: boolean }) {
  const t = useTranslations("synthesis.guide");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR") && !compact;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState(guide);
  const [editing, setEditing] = useState(false);
  const save = useMutation(trpc.synthesis.updateGuide.mutationOptions({
    onSuccess: () => {
      setEditing(false);
      return queryClient.invalidateQueries({ queryKey: trpc.synthesis.get.queryKey() });
    },
  }));
  return (
    <Card title={t("title")} actions={canEdit && !editing ? <Button variant="secondary" onClick={() => { setText(guide); setEditing(true); }}>{t("edit")}</Button> : null}>
      {canEdit && editing ? (
        <div className="space-y-2">
          <textarea aria-label={t("title")} value={text} onChange={(e) => setText(e.target.value)} rows={18} className="w-full rounded border border-slate-300 p-2 font-mono text-xs" />
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => save.mutate({ workspaceId: workspace.id, runId, guide: text })} disabled={save.isPending}>{t("save")}</Button>
            <Button variant="secondary" onClick={() => setEditing(false)}>{t("cancel")}</Button>
          </div>
        </div>
      ) : (
        <div className="max-h-[32rem] overflow-auto text-xs text-slate-700" data-testid="guide">
          <Markdown remarkPlugins={[remarkGfm]} components={COMPONENTS}>{guide}</Markdown>
        </div>
      )}
    </Card>
  );
}
