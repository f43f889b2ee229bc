"use client";

import type { ChartSeries } from "./chart-data";

export const CHART_COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4d7c0f", "#be185d", "#475569", "#a16207"];

/**
 * The chart's legend: colour, label and value (under the cursor, else the latest). Each entry carries its point
 * count (`data-points`), which the browser specs read, since the plot itself is a canvas.
 */
export function ChartLegend({ series, values, format }: { series: ChartSeries[]; values: Array<number | null>; format: (v: number) => string }) {
  if (!series.length) return null;
  return (
    <ul className="mt-1 flex flex-wrap gap-3 text-xs">
      {series.map((s, i) => (
        <li key={s.label} className="flex items-center gap-1" data-series={s.label} data-points={s.points.length}>
          <span className="inline-block h-2 w-3" style={{ background: CHART_COLORS[i % CHART_COLORS.length] }} />
          {s.label}
          {values[i] != null ? <span className="tabular-nums text-slate-500">{format(values[i]!)}</span> : null}
        </li>
      ))}
    </ul>
  );
}
