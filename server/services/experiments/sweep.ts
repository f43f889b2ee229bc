import { z } from "zod";
import { loraSchema, trainConfigSchema, type TrainConfig } from "./schema";

/**
 * Sweeps: several hyperparameters, each with a list of values; every combination (the cartesian product)
 * becomes one run of a group. The sweepable fields and their checks come from the shared zod schema, so the
 * form, the tRPC input and the service agree. Pure: imported by the browser too.
 */
export type SweepValue = number | string | boolean;
export type SweepGrid = Record<string, SweepValue[]>;

/** A sweep queues at most this many runs: beyond it a grid is almost always a typo (or a cluster's worth). */
export const MAX_SWEEP_RUNS = 32;
export const MAX_SWEEP_FIELDS = 5;
export const MAX_SWEEP_VALUES = 20;

export interface SweepField {
  /** A trainConfigSchema key, or "lora.<key>" for a LoRA field (r = rank, alpha, dropout). */
  key: string;
  kind: "number" | "enum" | "boolean";
  options?: string[];
  integer?: boolean;
  /** Allowed values of a number field in language-neutral notation, e.g. "0 < x ≤ 1", "1 ≤ x ≤ 256". */
  range?: string;
  schema: z.ZodType;
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur = t;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodNullable || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
  return cur;
}

function describe(key: string, t: z.ZodType): SweepField | null {
  const inner = unwrap(t);
  if (inner instanceof z.ZodNumber) {
    const lo = inner.minValue ?? -Infinity;
    const hi = inner.maxValue ?? Infinity;
    // zod keeps the bound but not whether it is exclusive (positive() is min 0, exclusive): ask the schema.
    const range = `${lo}${inner.safeParse(lo).success ? " ≤" : " <"} x${Number.isFinite(hi) ? ` ${inner.safeParse(hi).success ? "≤" : "<"} ${hi}` : ""}`;
    return { key, kind: "number", integer: !!inner.isInt, range, schema: inner };
  }
  if (inner instanceof z.ZodEnum) return { key, kind: "enum", options: inner.options.map(String), schema: inner };
  if (inner instanceof z.ZodBoolean) return { key, kind: "boolean", schema: inner };
  return null; // arrays (evalModes), the lora object itself
}

/** Bookkeeping fields, not hyperparameters: sweeping them would queue identical trainings. */
const NOT_SWEPT = new Set(["device", "logSteps", "saveSteps", "keepLast", "evalSteps"]);

/** Every numeric, enum and boolean hyperparameter of the config, plus LoRA's numeric fields. */
export const SWEEP_FIELDS: SweepField[] = [
  ...Object.entries(trainConfigSchema.shape).filter(([k]) => !NOT_SWEPT.has(k)).map(([k, t]) => describe(k, t as z.ZodType)),
  ...Object.entries(loraSchema.shape).map(([k, t]) => describe(`lora.${k}`, t as z.ZodType)),
].filter((f): f is SweepField => f !== null);

const FIELDS = new Map(SWEEP_FIELDS.map((f) => [f.key, f]));
export const sweepField = (key: string) => FIELDS.get(key);

export type SweepIssue =
  | { field: string; kind: "unknownField" | "noValues" | "tooManyValues" | "loraOff" }
  | { field: string; kind: "notNumber" | "notInteger" | "notOption" | "duplicate" | "outOfRange"; value: string; detail?: string }
  | { field: null; kind: "noFields" | "tooManyFields" | "tooManyRuns"; runs?: number };

/** The number of runs a grid expands to (the product of the value counts). */
export const gridSize = (grid: SweepGrid) => Object.values(grid).reduce((n, v) => n * v.length, 1);

/**
 * Parses a comma-separated list typed into the form for one field: numbers ("1e-5, 2e-5"), enum options,
 * true/false. Text that is not a value of the field's type is an issue naming the field.
 */
export function parseSweepValues(key: string, text: string): { values: SweepValue[]; issues: SweepIssue[] } {
  const f = FIELDS.get(key);
  if (!f) return { values: [], issues: [{ field: key, kind: "unknownField" }] };
  const values: SweepValue[] = [];
  const issues: SweepIssue[] = [];
  for (const raw of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (f.kind === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n)) issues.push({ field: key, kind: "notNumber", value: raw });
      else values.push(n);
    } else if (f.kind === "boolean") {
      if (raw === "true" || raw === "false") values.push(raw === "true");
      else issues.push({ field: key, kind: "notOption", value: raw, detail: "true, false" });
    } else values.push(raw);
  }
  return { values, issues };
}

/** Every problem of a grid, each naming its field (or the grid as a whole for the count limits). */
export function validateGrid(grid: SweepGrid): SweepIssue[] {
  const issues: SweepIssue[] = [];
  const keys = Object.keys(grid);
  if (keys.length === 0) issues.push({ field: null, kind: "noFields" });
  if (keys.length > MAX_SWEEP_FIELDS) issues.push({ field: null, kind: "tooManyFields" });
  for (const key of keys) {
    const f = FIELDS.get(key);
    const values = grid[key]!;
    if (!f) {
      issues.push({ field: key, kind: "unknownField" });
      continue;
    }
    if (values.length === 0) issues.push({ field: key, kind: "noValues" });
    if (values.length > MAX_SWEEP_VALUES) issues.push({ field: key, kind: "tooManyValues" });
    const seen = new Set<string>();
    for (const v of values) {
      const shown = String(v);
      if (seen.has(shown)) issues.push({ field: key, kind: "duplicate", value: shown });
      seen.add(shown);
      if (f.kind === "number" && typeof v !== "number") issues.push({ field: key, kind: "notNumber", value: shown });
      else if (f.kind === "enum" && !f.options!.includes(shown)) issues.push({ field: key, kind: "notOption", value: shown, detail: f.options!.join(", ") });
      else if (f.kind === "boolean" && typeof v !== "boolean") issues.push({ field: key, kind: "notOption", value: shown, detail: "true, false" });
      else if (f.integer && !Number.isInteger(v)) issues.push({ field: key, kind: "notInteger", value: shown });
      else if (!f.schema.safeParse(v).success) issues.push({ field: key, kind: "outOfRange", value: shown, detail: f.range });
    }
  }
  const runs = gridSize(grid);
  if (keys.length && runs > MAX_SWEEP_RUNS) issues.push({ field: null, kind: "tooManyRuns", runs });
  return issues;
}

/** English text of an issue (the server's messages; the form renders its own translated ones). */
export function issueMessage(i: SweepIssue): string {
  switch (i.kind) {
    case "noFields": return "Pick at least one field to sweep.";
    case "tooManyFields": return `Sweep at most ${MAX_SWEEP_FIELDS} fields at once.`;
    case "tooManyRuns": return `This grid is ${i.runs} runs; a sweep is capped at ${MAX_SWEEP_RUNS}. Remove values or fields.`;
    case "unknownField": return `${i.field}: not a field that can be swept.`;
    case "loraOff": return `${i.field}: LoRA is off in this configuration; turn it on to sweep its fields.`;
    case "noValues": return `${i.field}: give at least one value.`;
    case "tooManyValues": return `${i.field}: at most ${MAX_SWEEP_VALUES} values.`;
    case "notNumber": return `${i.field}: "${i.value}" is not a number.`;
    case "notOption": return `${i.field}: "${i.value}" is not one of ${i.detail}.`;
    case "duplicate": return `${i.field}: ${i.value} is listed twice.`;
    case "notInteger": return `${i.field}: ${i.value} must be a whole number.`;
    case "outOfRange": return `${i.field}: ${i.value} is out of range (${i.detail}).`;
  }
}

/** The tRPC input: structure plus every check above, each issue at path [field] (→ the form's `grid` error). */
export const sweepGridSchema = z
  .record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])))
  .superRefine((grid, ctx) => {
    for (const i of validateGrid(grid)) ctx.addIssue({ code: "custom", path: i.field ? [i.field] : [], message: issueMessage(i) });
  });

/** Every combination, fields in the grid's order (the last field varies fastest). */
export function expandGrid(grid: SweepGrid): Array<Record<string, SweepValue>> {
  let combos: Array<Record<string, SweepValue>> = [{}];
  for (const [key, values] of Object.entries(grid)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return combos;
}

/** A run's config: the base with one combination applied ("lora.r" edits the base's LoRA block). */
export function applyCombo(base: TrainConfig, combo: Record<string, SweepValue>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, v] of Object.entries(combo)) {
    if (key.startsWith("lora.")) {
      if (!base.lora) throw new SweepError(issueMessage({ field: key, kind: "loraOff" }), key);
      out.lora = { ...(out.lora as object), [key.slice(5)]: v };
    } else out[key] = v;
  }
  return out;
}

export class SweepError extends Error {
  constructor(message: string, public readonly field: string) {
    super(message);
  }
}

/** A short run-name suffix for a combination: "lr=2e-5 lora.r=16". */
export const comboLabel = (combo: Record<string, SweepValue>) => Object.entries(combo).map(([k, v]) => `${k}=${v}`).join(" ");
