"use client";

import { useMemo, useState } from "react";
import uPlot from "uplot";
import { formatAxisNumber } from "./axis-number";
import { UPlotFrame } from "./uplot-frame";

export interface Bin { label: string; count: number }

/**
 * Counts per labelled bin as bars (uPlot's bar paths): bin labels on the x axis, the bin under the cursor and its
 * count beside the title, drag to zoom into a range of bins.
 */
export function BarChart({ title, bins, height = 130, testId }: { title: string; bins: Bin[]; height?: number; testId?: string }) {
  const [hover, setHover] = useState<number | null>(null);
  const data = useMemo((): uPlot.AlignedData => [bins.map((_, i) => i), bins.map((b) => b.count)], [bins]);
  const key = JSON.stringify(bins.map((b) => b.label));
  const options = useMemo((): Omit<uPlot.Options, "width" | "height"> => ({
    legend: { show: false },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [
      { size: 24, font: "9px sans-serif", stroke: "#64748b", grid: { show: false }, splits: () => bins.map((_, i) => i).filter((i) => i % Math.ceil(bins.length / 6) === 0), values: (_u, ticks) => ticks.map((i) => bins[i]?.label ?? "") },
      { size: 44, font: "9px sans-serif", stroke: "#64748b", grid: { stroke: "#f1f5f9" }, values: (_u, ticks) => ticks.map(formatAxisNumber) },
    ],
    series: [{}, { label: title, fill: "#6366f1", stroke: "#4f46e5", width: 0, paths: uPlot.paths.bars!({ size: [0.9, 64] }), points: { show: false } }],
    // `bins` is covered by `key` (labels) and setData (counts).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }), [key, title]);
  const at = hover != null ? bins[hover] : undefined;
  return (
    <figure className="rounded border border-slate-100 p-3" data-testid={testId}>
      <figcaption className="mb-2 flex text-xs font-medium text-slate-600">
        <span className="mr-auto">{title}</span>
        {at ? <span className="tabular-nums font-normal text-slate-500">{at.label}: {at.count}</span> : null}
      </figcaption>
      <div role="img" aria-label={title} data-bins={bins.length}>
        <UPlotFrame options={options} optionsKey={`${key}|${title}`} data={data} height={height} onCursor={setHover} />
      </div>
    </figure>
  );
}
