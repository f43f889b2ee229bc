"use client";

import { useMemo } from "react";
import type uPlot from "uplot";
import { formatAxisNumber } from "./axis-number";
import { UPlotFrame } from "./uplot-frame";

/**
 * A 2-D scatter (the compare page's embedding projections) on uPlot: points sorted by x, drawn without lines,
 * with the same zoom (drag) and reset (double-click) as the line charts.
 */
export function Scatter({ title, points, testId }: { title: string; points: Array<{ x: number; y: number }>; testId?: string }) {
  const data = useMemo((): uPlot.AlignedData => {
    const sorted = [...points].sort((a, b) => a.x - b.x);
    return [sorted.map((p) => p.x), sorted.map((p) => p.y)];
  }, [points]);
  const options = useMemo((): Omit<uPlot.Options, "width" | "height"> => ({
    legend: { show: false },
    cursor: { drag: { x: true, y: true, uni: 20 } },
    scales: { x: { time: false } },
    axes: [
      { size: 24, font: "9px sans-serif", stroke: "#94a3b8", values: (_u: uPlot, ticks: number[]) => ticks.map(formatAxisNumber) },
      { size: 40, font: "9px sans-serif", stroke: "#94a3b8", values: (_u: uPlot, ticks: number[]) => ticks.map(formatAxisNumber) },
    ],
    series: [{}, { label: title, stroke: "#2563eb", paths: () => null, points: { show: true, size: 3, fill: "#2563eb99", stroke: "#2563eb" } }],
  }), [title]);
  return (
    <figure className="rounded border border-slate-200 p-2" data-testid={testId}>
      <figcaption className="mb-1 text-xs font-medium text-slate-600">{title}</figcaption>
      <div className="max-w-[260px]" role="img" aria-label={title} data-points={points.length}>
        <UPlotFrame options={options} optionsKey={title} data={data} height={220} />
      </div>
    </figure>
  );
}
