"use client";

import { useTranslations } from "next-intl";
import { useEffect, useMemo, useState } from "react";
import {
  gridSize, MAX_SWEEP_FIELDS, MAX_SWEEP_RUNS, MAX_SWEEP_VALUES, parseSweepValues, sweepField, SWEEP_FIELDS, validateGrid, type SweepGrid as Grid, type SweepIssue,
} from "~/server/services/experiments/sweep";
import { Button, Input, Select } from "../../../../_components/ui";

/**
 * The sweep part of the new-run form: several hyperparameters, each with a list of values. Shows the grid
 * size (the product of the value counts) against the cap and names the field of every bad value, with the
 * same checks the server runs (sweep.ts). Reports the grid upward; `valid` gates the submit button.
 */
export interface SweepState {
  grid: Grid;
  valid: boolean;
}

interface Row {
  id: number;
  field: string;
  text: string;
}

let nextId = 1;
const DEFAULT_TEXT: Record<string, string> = { learningRate: "1e-5, 2e-5", "lora.r": "8, 16", temperature: "0.02, 0.05", batchSize: "4, 8" };

export function SweepGrid({ loraOn, serverError, onChange }: { loraOn: boolean; serverError?: string; onChange: (s: SweepState) => void }) {
  const t = useTranslations("experiments");
  const [rows, setRows] = useState<Row[]>([{ id: nextId++, field: "learningRate", text: DEFAULT_TEXT.learningRate! }]);
  const available = SWEEP_FIELDS.filter((f) => loraOn || !f.key.startsWith("lora."));

  const label = (key: string) => {
    if (t.has(`fields.${key}`)) return t(`fields.${key}`);
    const k = key.replace(/\.(\w)/, (_, c: string) => c.toUpperCase()); // lora.r → loraR
    return t.has(`sweepGrid.fieldLabels.${k}`) ? t(`sweepGrid.fieldLabels.${k}`) : key;
  };
  const message = (i: SweepIssue) => {
    if (i.field === null) return i.kind === "tooManyRuns" ? t("sweepGrid.tooMany", { runs: i.runs ?? 0, max: MAX_SWEEP_RUNS }) : t("sweepGrid.empty");
    const field = `${label(i.field)} (${i.field})`;
    if ("value" in i) return t(`sweepGrid.issues.${i.kind}`, { field, value: i.value, detail: i.detail ?? "" });
    return t(`sweepGrid.issues.${i.kind}`, { field, max: MAX_SWEEP_VALUES });
  };

  // Parse every row, then run the server's checks on the whole grid; issues are shown under their row.
  const { grid, issues } = useMemo(() => {
    const g: Grid = {};
    const found: SweepIssue[] = [];
    for (const r of rows) {
      const parsed = parseSweepValues(r.field, r.text);
      if (r.field.startsWith("lora.") && !loraOn) found.push({ field: r.field, kind: "loraOff" });
      g[r.field] = parsed.values;
      found.push(...parsed.issues);
    }
    return { grid: g, issues: [...found, ...validateGrid(g)] };
  }, [rows, loraOn]);
  const runs = gridSize(grid);
  const valid = issues.length === 0;
  useEffect(() => onChange({ grid, valid }), [grid, valid]); // eslint-disable-line react-hooks/exhaustive-deps

  const update = (id: number, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  const addRow = () => {
    const used = new Set(rows.map((r) => r.field));
    const next = ["lora.r", "temperature", "batchSize"].find((k) => !used.has(k) && available.some((f) => f.key === k)) ?? available.find((f) => !used.has(f.key))?.key;
    if (next) setRows((rs) => [...rs, { id: nextId++, field: next, text: DEFAULT_TEXT[next] ?? "" }]);
  };
  const placeholder = (key: string) => {
    const f = sweepField(key);
    if (!f) return "";
    if (f.kind === "enum") return f.options!.join(", ");
    if (f.kind === "boolean") return "true, false";
    return f.range ?? "";
  };

  return (
    <div className="mt-2 space-y-2" data-testid="sweep-grid">
      <p className="text-xs text-slate-500">{t("sweepGrid.help")}</p>
      {rows.map((r) => {
        const rowIssues = issues.filter((i) => i.field === r.field);
        const count = parseSweepValues(r.field, r.text).values.length;
        return (
          <div key={r.id} data-testid="sweep-row">
            <div className="flex items-center gap-2">
              <span className="w-64">
                <Select value={r.field} aria-label={t("sweepGrid.field")} onChange={(e) => update(r.id, { field: e.target.value, text: DEFAULT_TEXT[e.target.value] ?? "" })}>
                  {SWEEP_FIELDS.filter((f) => f.key === r.field || (available.includes(f) && !rows.some((o) => o.field === f.key))).map((f) => <option key={f.key} value={f.key}>{label(f.key)}</option>)}
                </Select>
              </span>
              <span className="flex-1">
                <Input value={r.text} placeholder={placeholder(r.field)} aria-label={t("sweepGrid.values", { field: label(r.field) })} aria-invalid={rowIssues.length > 0} onChange={(e) => update(r.id, { text: e.target.value })} />
              </span>
              <span className="w-20 text-xs text-slate-500">{t("sweepGrid.count", { count })}</span>
              <button type="button" className="text-xs text-red-600 underline disabled:opacity-40" disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((o) => o.id !== r.id))}>{t("sweepGrid.remove")}</button>
            </div>
            {rowIssues.map((i, n) => <p key={n} className="mt-1 text-xs text-red-600">{message(i)}</p>)}
          </div>
        );
      })}
      <div className="flex items-center gap-3">
        <Button type="button" variant="secondary" onClick={addRow} disabled={rows.length >= MAX_SWEEP_FIELDS} data-testid="sweep-add-field">{t("sweepGrid.addField")}</Button>
        <span className={`text-sm ${runs > MAX_SWEEP_RUNS ? "text-red-600" : "text-slate-700"}`} data-testid="sweep-size">
          {t("sweepGrid.size", { formula: rows.map((r) => parseSweepValues(r.field, r.text).values.length).join(" × "), runs, max: MAX_SWEEP_RUNS })}
        </span>
      </div>
      {issues.filter((i) => i.field === null).map((i, n) => <p key={n} className="text-sm text-red-600" role="alert" data-testid="sweep-grid-error">{message(i)}</p>)}
      {serverError ? <p className="text-sm text-red-600" role="alert">{serverError}</p> : null}
    </div>
  );
}
