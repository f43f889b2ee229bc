import { issue, type ImportIssue, type RowContext } from "./issues";

/** Collects issues for one row; helpers return undefined when a field is bad (and record why). */
export class RowIssues {
  readonly issues: ImportIssue[] = [];
  constructor(readonly ctx: RowContext) {}
  add(field: string | null, reason: string): undefined {
    this.issues.push(issue(this.ctx, field, reason));
    return undefined;
  }
  get ok(): boolean {
    return this.issues.length === 0;
  }
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  return `a ${typeof v}`;
}

/** A required string that is not empty after trimming. Returned as given (not trimmed). */
export function requiredText(rec: Record<string, unknown>, key: string, out: RowIssues, field = key): string | undefined {
  const v = rec[key];
  if (v === undefined) return out.add(field, "missing");
  return text(v, field, out);
}

export function text(v: unknown, field: string, out: RowIssues): string | undefined {
  if (typeof v !== "string") return out.add(field, `expected a string, got ${describe(v)}`);
  if (v.trim() === "") return out.add(field, "empty string");
  return v;
}

/** An optional string: undefined when absent or null; an issue when another type. */
export function optionalString(rec: Record<string, unknown>, key: string, out: RowIssues, field = key): string | undefined {
  const v = rec[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") return out.add(field, `expected a string, got ${describe(v)}`);
  return v;
}

/** An array of non-empty strings; `minLength` items at least. Each bad item is named `field[i]`. */
export function textArray(
  rec: Record<string, unknown>,
  key: string,
  out: RowIssues,
  opts: { minLength: number; field?: string },
): string[] | undefined {
  const field = opts.field ?? key;
  const v = rec[key];
  if (v === undefined) return out.add(field, "missing");
  if (!Array.isArray(v)) return out.add(field, `expected an array of strings, got ${describe(v)}`);
  if (v.length < opts.minLength) return out.add(field, opts.minLength === 1 ? "empty array (at least one item needed)" : `needs at least ${opts.minLength} items`);
  const before = out.issues.length;
  const items = v.map((x, i) => text(x, `${field}[${i}]`, out));
  return out.issues.length === before ? (items as string[]) : undefined;
}

/** An optional array of finite numbers with exactly `length` items. */
export function optionalScores(
  rec: Record<string, unknown>,
  key: string,
  length: number | undefined,
  out: RowIssues,
): number[] | undefined {
  const v = rec[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return out.add(key, `expected an array of numbers, got ${describe(v)}`);
  const before = out.issues.length;
  v.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) out.add(`${key}[${i}]`, `expected a number, got ${describe(x)}`);
  });
  if (out.issues.length !== before) return undefined;
  if (length !== undefined && v.length !== length) return out.add(key, `has ${v.length} scores for ${length} passages`);
  return v as number[];
}

/** An id: a non-empty string, or an integer (turned into its decimal string). */
export function id(v: unknown, field: string, out: RowIssues): string | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  if (v === undefined) return out.add(field, "missing");
  if (typeof v !== "string") return out.add(field, `expected a string or integer id, got ${describe(v)}`);
  if (v.trim() === "") return out.add(field, "empty id");
  return v;
}
