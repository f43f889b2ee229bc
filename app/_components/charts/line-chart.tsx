"use client";

import { useLocale, useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import type uPlot from "uplot";
import { formatAxisNumber } from "./axis-number";
import { alignSeries, forLogScale, hasPositive, lastValue, smoothEma, type ChartSeries } from "./chart-data";
import { CHART_COLORS, ChartLegend } from "./chart-legend";
import { UPlotFrame } from "./uplot-frame";

export type { ChartSeries } from "./chart-data";

/** Tick labels of a wall-clock axis (x in seconds since the epoch); seconds only when the span is short. */
function clockLabels(locale: string, ticks: number[], spanSeconds: number): string[] {
  const f = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", ...(spanSeconds <= 900 ? { second: "2-digit" } : {}), hour12: false });
  return ticks.map((x) => f.format(new Date(x * 1000)));
}

const countValues = (ys: ArrayLike<number | null | undefined> | undefined) => {
  let n = 0;
  for (let i = 0; i < (ys?.length ?? 0); i++) if (ys![i] != null) n++;
  return n;
};

/**
 * A line chart (uPlot): several series overlaid on one x axis (steps, seconds, or wall-clock time with
 * `xTime`), values under the cursor in the legend, drag to zoom / double-click to reset, and — where it helps —
 * a smoothing slider (the raw curve stays visible, faint) and a log-scale toggle. `xUnit` is appended to x tick
 * labels (" s" for series over seconds); time axes are labelled with clock times in the page's locale.
 */
export function LineChart({ title, series, height = 160, testId, xUnit = "", xTime = false, xExtent, yRange, smoothing = true, yFormat = formatAxisNumber }: {
  title: string;
  /** A fixed y range (a percentage: [0, 100]); ignored on a log axis. */
  yRange?: [number, number];
  /** x values the axis must reach even without points there (a time window's start and end). */
  xExtent?: [number, number];
  series: ChartSeries[];
  height?: number;
  testId?: string;
  xUnit?: string;
  xTime?: boolean;
  smoothing?: boolean;
  yFormat?: (v: number) => string;
}) {
  const t = useTranslations("charts");
  const locale = useLocale();
  const [weight, setWeight] = useState(0);
  const [log, setLog] = useState(false);
  const [hover, setHover] = useState<number | null>(null);
  const canLog = hasPositive(series);
  const useLog = log && canLog;
  const [x0, x1] = xExtent ?? [];
  const aligned = useMemo(() => alignSeries(series, x0 != null && x1 != null ? [x0, x1] : []), [series, x0, x1]);
  const smoothed = weight > 0;

  const data = useMemo((): uPlot.AlignedData => {
    const fit = (v: Array<number | null>) => (useLog ? forLogScale(v) : v);
    const lines = aligned.ys.map((ys) => fit(smoothEma(ys, weight)));
    // With smoothing on, each raw curve is drawn too, faint, after the smoothed ones (TensorBoard's convention).
    const raw = smoothed ? aligned.ys.map(fit) : [];
    return [aligned.xs, ...lines, ...raw] as uPlot.AlignedData;
  }, [aligned, weight, useLog, smoothed]);

  const optionsKey = JSON.stringify([series.map((s) => s.label), useLog, smoothed, xTime, xUnit, height, t("raw", { label: "" }), locale, yRange]);
  const options = useMemo((): Omit<uPlot.Options, "width" | "height"> => {
    const line = (label: string, i: number, faint: boolean): uPlot.Series => ({
      label, stroke: CHART_COLORS[i % CHART_COLORS.length], width: faint ? 1 : 1.5, alpha: faint ? 0.25 : 1, spanGaps: true,
      points: { show: (u, si) => countValues(u.data[si]) < 3, size: 4 }, // a lone point is visible without a line
    });
    return {
      legend: { show: false }, // ChartLegend below: React, translated, with the values under the cursor
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: xTime }, y: useLog ? { distr: 3 } : yRange ? { range: () => yRange } : {} },
      axes: [
        {
          size: 28, font: "10px sans-serif", stroke: "#64748b", grid: { stroke: "#f1f5f9" },
          // Clock times in the page's locale (uPlot's own time labels are English: "1:35pm").
          values: xTime ? (u: uPlot, ticks: number[]) => clockLabels(locale, ticks, (u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0))
            : (_u: uPlot, ticks: number[]) => ticks.map((v) => `${formatAxisNumber(v)}${xUnit}`),
        },
        // 56 px holds formatAxisNumber's longest label (7 characters) at 10 px: the lr axis is not clipped (#20 item 3).
        { size: 56, font: "10px sans-serif", stroke: "#64748b", grid: { stroke: "#f1f5f9" }, values: (_u: uPlot, ticks: number[]) => ticks.map(yFormat) },
      ],
      series: [
        {},
        ...series.map((s, i) => line(s.label, i, false)),
        ...(smoothed ? series.map((s, i) => ({ ...line(s.label, i, true), label: t("raw", { label: s.label }) })) : []),
      ],
    };
    // optionsKey covers everything the options depend on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [optionsKey]);

  const values = series.map((s, i) => (hover != null ? (data[i + 1]?.[hover] ?? null) : lastValue(s.points)));
  return (
    <figure className="rounded border border-slate-200 p-2" data-testid={testId}>
      <figcaption className="mb-1 flex flex-wrap items-center gap-2 text-xs font-medium text-slate-600">
        <span className="mr-auto">{title}</span>
        {smoothing ? (
          <label className="flex items-center gap-1 font-normal text-slate-500" title={t("smoothingHint")}>
            {t("smoothing")}
            <input type="range" min={0} max={0.99} step={0.01} value={weight} onChange={(e) => setWeight(Number(e.target.value))} className="w-16" aria-label={t("smoothing")} data-testid="chart-smoothing" />
            <span className="w-7 tabular-nums">{weight.toFixed(2)}</span>
          </label>
        ) : null}
        {canLog ? (
          <label className="flex items-center gap-1 font-normal text-slate-500">
            <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} data-testid="chart-log" />
            {t("logScale")}
          </label>
        ) : null}
      </figcaption>
      <div title={t("zoomHint")} role="img" aria-label={title}>
        <UPlotFrame options={options} optionsKey={optionsKey} data={data} height={height} onCursor={setHover} />
      </div>
      <ChartLegend series={series} values={values} format={yFormat} />
    </figure>
  );
}
