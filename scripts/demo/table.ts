/**
 * The base-vs-tuned table in the article's layout (metric | base | tuned | change %), plus the paired
 * randomization test's p-value, built from the compare endpoint's rows (the evaluation jobs' stored means).
 */
export interface CompareRow {
  metric: string;
  values: Array<number | null>;
  pct: Array<number | null>;
  p: Array<number | null>;
}

export interface DemoTable {
  mode: string;
  queries: number;
  base: string;
  tuned: string;
  rows: Array<{ metric: string; base: number; tuned: number; changePct: number | null; p: number | null }>;
}

/** The @10 metrics with per-query values (so with p-values), in the article's order. */
export const TABLE_METRICS: Array<[key: string, label: string]> = [
  ["P@10", "P@10"], ["recall@10", "Recall@10"], ["mrr@10", "MRR@10"], ["ndcg@10", "nDCG@10"], ["map@10", "MAP@10"],
];

export function buildTable(rows: CompareRow[], meta: { mode: string; queries: number; base: string; tuned: string }): DemoTable {
  return {
    ...meta,
    rows: TABLE_METRICS.map(([key, label]) => {
      const row = rows.find((r) => r.metric === key);
      const [base, tuned] = [row?.values[0], row?.values[1]];
      if (typeof base !== "number" || typeof tuned !== "number") throw new Error(`the comparison has no ${key} for both models (evaluation missing?)`);
      return { metric: label, base, tuned, changePct: row!.pct[1] ?? null, p: row!.p[1] ?? null };
    }),
  };
}

const pct = (v: number | null) => (v === null ? "n/a" : `${v >= 0 ? "+" : ""}${v.toFixed(1)}%`);
const pValue = (v: number | null) => (v === null ? "n/a" : v < 0.001 ? "<0.001" : v.toFixed(3));

export function formatTable(table: DemoTable): string {
  const header = ["metric", "base", "tuned", "change %", "p"];
  const body = table.rows.map((r) => [r.metric, r.base.toFixed(4), r.tuned.toFixed(4), pct(r.changePct), pValue(r.p)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [
    `${table.mode} retrieval, ${table.queries} held-out queries: ${table.base} (base) vs ${table.tuned} (tuned)`,
    line(header),
    `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...body.map(line),
    "p: paired sign-flip randomization test over queries (1,000 permutations), two-sided.",
  ].join("\n");
}

/** Whether the tuned model beats the base on nDCG@10 and MRR@10 (what the demo promises). */
export function tunedWins(table: DemoTable): boolean {
  const get = (m: string) => table.rows.find((r) => r.metric === m)!;
  return get("nDCG@10").tuned > get("nDCG@10").base && get("MRR@10").tuned > get("MRR@10").base;
}
