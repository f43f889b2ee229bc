"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button, Card } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

/** The labelling guide, shown as plain text beside the queue; editors can change it. */
export function GuidePanel({ runId, guide, compact = false }: { runId: string; guide: string; compact?: boolean }) {
  const t = useTranslations("synthesis.guide");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR") && !compact;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState(guide);
  const save = useMutation(trpc.synthesis.updateGuide.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.synthesis.get.queryKey() }) }));
  return (
    <Card title={t("title")}>
      {canEdit ? (
        <div className="space-y-2">
          <textarea aria-label={t("title")} value={text} onChange={(e) => setText(e.target.value)} rows={18} className="w-full rounded border border-slate-300 p-2 font-mono text-xs" />
          <Button variant="secondary" onClick={() => save.mutate({ workspaceId: workspace.id, runId, guide: text })} disabled={save.isPending}>{t("save")}</Button>
        </div>
      ) : (
        <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap text-xs text-slate-700" data-testid="guide">{guide}</pre>
      )}
    </Card>
  );
}
