"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button } from "../../../../_components/ui";
import { useCan, useWorkspace } from "../../../../_components/workspace-context";
import { errorMessage } from "../../../../_trpc/errors";
import { useTRPC } from "../../../../_trpc/react";

/** UTF-8 when it decodes strictly, else GB18030 (a superset of GBK/GB2312: Chinese term lists saved on Windows). */
function decodeTerms(bytes: ArrayBuffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("gb18030").decode(bytes);
  }
}

/** The workspace glossary as one term per line; a text file's lines are added to it. Editors save; everyone reads. */
export function GlossaryEditor({ onSaved }: { onSaved?: () => void }) {
  const t = useTranslations("glossary");
  const workspace = useWorkspace();
  const canEdit = useCan("EDITOR");
  const trpc = useTRPC();
  const qc = useQueryClient();
  const input = { workspaceId: workspace.id };
  const terms = useQuery(trpc.glossary.list.queryOptions(input));
  const [text, setText] = useState<string | null>(null);
  const value = text ?? (terms.data ?? []).join("\n");
  const save = useMutation(trpc.glossary.set.mutationOptions({
    onSuccess: () => { setText(null); void qc.invalidateQueries({ queryKey: trpc.glossary.list.queryKey(input) }); onSaved?.(); },
  }));
  const importFile = async (file: File) => {
    const lines = decodeTerms(await file.arrayBuffer()).replace(/^\uFEFF/, "").split(/\r?\n|\r/).map((l) => l.trim()).filter(Boolean);
    setText([value, ...lines].filter(Boolean).join("\n"));
  };
  return (
    <div className="space-y-2" data-testid="glossary-editor">
      <p className="text-xs text-slate-500">{t("help")}</p>
      <textarea
        className="h-40 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
        value={value}
        readOnly={!canEdit}
        onChange={(e) => setText(e.target.value)}
        aria-label={t("terms")}
        placeholder={t("placeholder")}
      />
      {canEdit ? (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <Button type="button" onClick={() => save.mutate({ ...input, terms: value.split("\n") })} disabled={save.isPending || text === null}>{t("save")}</Button>
          <label className="cursor-pointer text-brand-600 underline">
            {t("importFile")}
            <input type="file" accept=".txt,.csv,.tsv,text/plain" className="sr-only" aria-label={t("importFile")} onChange={(e) => { const f = e.target.files?.[0]; if (f) void importFile(f); e.target.value = ""; }} />
          </label>
          <span className="text-xs text-slate-500">{t("count", { n: value.split("\n").filter((l) => l.trim()).length })}</span>
          {save.error ? <span role="alert" className="text-xs text-red-600">{errorMessage(save.error) ?? t("invalid")}</span> : null}
        </div>
      ) : null}
    </div>
  );
}
