"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState, type DragEvent } from "react";
import { ProgressBar, Select } from "../../../../_components/ui";
import { uploadFile, type UploadedFile } from "../../../../_components/upload-file";
import { useWorkspace } from "../../../../_components/workspace-context";
import { useTRPC } from "../../../../_trpc/react";

export type Role = "pairs" | "corpus" | "queries" | "qrels" | "docs" | "logs";
export type Mapping = { query?: string; positive?: string; negative?: string[]; group?: string; text?: string; title?: string; id?: string };

/** Which mapping fields a file role uses (qrels and logs have fixed layouts). */
const MAPPING_FIELDS: Record<Role, (keyof Mapping)[]> = {
  pairs: ["query", "positive", "negative", "group"],
  docs: ["text", "title", "id"],
  corpus: ["id", "text", "title"],
  queries: ["id", "text"],
  qrels: [],
  logs: [],
};

export interface SlotValue {
  upload: UploadedFile | null;
  mapping: Mapping | undefined;
  /** The preview refused the file: the import would be refused too, so the wizard keeps Import disabled. */
  previewError?: string;
}

/** Fields whose meaning is not obvious from the name get a line of explanation under the control. */
const FIELD_HELP: Partial<Record<keyof Mapping, "negativeHelp" | "groupHelp">> = { negative: "negativeHelp", group: "groupHelp" };

/** One file of an import: drop or choose, upload with progress, preview, map columns. */
export function FileSlot({ role, value, onChange }: { role: Role; value: SlotValue; onChange: (v: SlotValue) => void }) {
  const t = useTranslations("datasets.importer");
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const preview = useQuery({
    ...trpc.dataset.preview.queryOptions({ workspaceId: workspace.id, uploadId: value.upload?.id ?? "" }),
    enabled: !!value.upload,
  });

  async function take(file: File) {
    setError(null);
    setProgress(0);
    try {
      const upload = await uploadFile(workspace.id, file, setProgress);
      onChange({ upload, mapping: undefined, previewError: undefined });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setProgress(null);
    }
  }

  function drop(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void take(file);
  }

  const data = preview.data;
  const fields = MAPPING_FIELDS[role];
  const needsMapping = data && !data.native && fields.length > 0;
  const previewError = preview.error?.message;
  useEffect(() => {
    if (value.upload && value.previewError !== previewError) onChange({ ...value, previewError });
  }, [previewError, value, onChange]);
  // Default the mapping to the server's guess once the preview arrives.
  useEffect(() => {
    if (!data || !needsMapping || value.mapping !== undefined) return;
    const guess = Object.fromEntries(fields.map((f) => [f, data.suggested[f]]).filter(([, v]) => v !== undefined && (!Array.isArray(v) || v.length))) as Mapping;
    onChange({ ...value, mapping: guess });
  }, [data, needsMapping, value, fields, onChange]);

  return (
    <div className="space-y-3 rounded-lg border border-slate-200 p-4" data-testid={`slot-${role}`}>
      <div className="text-sm font-medium">{t(`roles.${role}`)}</div>
      <label
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
        className={`flex cursor-pointer flex-col items-center justify-center rounded-md border-2 border-dashed p-6 text-sm ${dragging ? "border-brand-500 bg-brand-50" : "border-slate-300 bg-slate-50"}`}
      >
        <span>{value.upload ? value.upload.fileName : t("drop")}</span>
        <input type="file" className="sr-only" aria-label={t("chooseFile", { role: t(`roles.${role}`) })} onChange={(e) => e.target.files?.[0] && void take(e.target.files[0])} />
      </label>
      {progress !== null ? <ProgressBar value={progress} /> : null}
      {error ? <p role="alert" className="whitespace-pre-wrap text-sm text-red-600">{error}</p> : null}
      {preview.error ? <p role="alert" className="whitespace-pre-wrap text-sm text-red-600">{preview.error.message}</p> : null}
      {data ? (
        <div className="space-y-3">
          <p className="text-xs text-slate-500">{t("detected", { format: data.format, rows: data.rows.length })}{data.native ? ` · ${t("native")}` : ""}</p>
          {needsMapping ? (
            <div className="flex flex-wrap gap-3">
              {fields.map((field) => (
                <label key={field} className="text-xs">
                  <span className="mb-1 block font-medium text-slate-600">{t(`fields.${field}`)}</span>
                  {field === "negative" ? (
                    <select
                      multiple
                      aria-label={t(`fields.${field}`)}
                      className="h-20 rounded border border-slate-300 text-sm"
                      value={value.mapping?.negative ?? []}
                      onChange={(e) => onChange({ ...value, mapping: { ...value.mapping, negative: [...e.target.selectedOptions].map((o) => o.value) } })}
                    >
                      {data.columns.map((c) => <option key={c} value={c}>{c}</option>)}
                    </select>
                  ) : (
                    <Select
                      aria-label={t(`fields.${field}`)}
                      value={(value.mapping?.[field] as string | undefined) ?? ""}
                      onChange={(e) => onChange({ ...value, mapping: { ...value.mapping, [field]: e.target.value || undefined } })}
                    >
                      <option value="">{t("unmapped")}</option>
                      {data.columns.map((c) => <option key={c} value={c}>{c}</option>)}
                    </Select>
                  )}
                  {FIELD_HELP[field] ? <span className="mt-1 block max-w-xs text-slate-500">{t(FIELD_HELP[field])}</span> : null}
                </label>
              ))}
            </div>
          ) : null}
          <div className="max-h-64 overflow-auto rounded border border-slate-100">
            <table className="w-full text-left text-xs" data-testid={`preview-${role}`}>
              <thead className="sticky top-0 bg-slate-50">
                <tr>{data.columns.map((c) => <th key={c} className="px-2 py-1 font-medium">{c}</th>)}</tr>
              </thead>
              <tbody>
                {data.rows.map((row, i) => (
                  <tr key={i} className="border-t border-slate-100 align-top">
                    {data.columns.map((c) => (
                      <td key={c} className="max-w-xs truncate px-2 py-1" title={String(row[c] ?? "")}>{typeof row[c] === "string" ? (row[c] as string) : JSON.stringify(row[c] ?? "")}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </div>
  );
}
