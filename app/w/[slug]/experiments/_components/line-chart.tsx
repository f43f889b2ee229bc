"use client";

import { formatAxisNumber } from "./axis-number";

/** A small SVG line chart: several series over steps, shared axes, hover-free (values in the legend). */
export interface ChartSeries {
  label: string;
  points: Array<[number, number]>;
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4d7c0f", "#be185d", "#475569", "#a16207"];

/** `xUnit` is appended to the x-axis labels (e.g. " s" for series over seconds instead of steps). */
export function LineChart({ title, series, height = 160, testId, xUnit = "" }: { title: string; series: ChartSeries[]; height?: number; testId?: string; xUnit?: string }) {
  const width = 420;
  // The left gutter holds the y tick labels: room for 7 characters (formatAxisNumber's longest) at font size 9.
  const pad = { l: 52, r: 8, t: 8, b: 20 };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = [Math.min(...ys, Infinity), Math.max(...ys, -Infinity)];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0 || 1)) * (width - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - (y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  const fmt = formatAxisNumber;
  return (
    <figure className="rounded border border-slate-200 p-2" data-testid={testId}>
      <figcaption className="mb-1 text-xs font-medium text-slate-600">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label={title}>
        <line x1={pad.l} x2={width - pad.r} y1={height - pad.b} y2={height - pad.b} stroke="#cbd5e1" />
        <line x1={pad.l} x2={pad.l} y1={pad.t} y2={height - pad.b} stroke="#cbd5e1" />
        <text x={pad.l - 4} y={pad.t + 8} fontSize="9" textAnchor="end" fill="#64748b">{fmt(y1)}</text>
        <text x={pad.l - 4} y={height - pad.b} fontSize="9" textAnchor="end" fill="#64748b">{fmt(y0)}</text>
        <text x={pad.l} y={height - 4} fontSize="9" fill="#64748b">{x0}{xUnit}</text>
        <text x={width - pad.r} y={height - 4} fontSize="9" textAnchor="end" fill="#64748b">{x1}{xUnit}</text>
        {series.map((s, i) => (
          <polyline
            key={s.label}
            data-points={s.points.length}
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            strokeWidth="1.5"
            points={s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")}
          />
        ))}
      </svg>
      {series.length > 1 || series[0]?.points.length ? (
        <div className="mt-1 flex flex-wrap gap-3 text-xs">
          {series.map((s, i) => (
            <span key={s.label} className="flex items-center gap-1">
              <span className="inline-block h-2 w-3" style={{ background: COLORS[i % COLORS.length] }} />
              {s.label}
              {s.points.length ? <span className="text-slate-500">{fmt(s.points[s.points.length - 1]![1])}</span> : null}
            </span>
          ))}
        </div>
      ) : null}
    </figure>
  );
}

export function Scatter({ title, points, testId }: { title: string; points: Array<{ x: number; y: number }>; testId?: string }) {
  const size = 220;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => 6 + ((x - x0) / (x1 - x0 || 1)) * (size - 12);
  const sy = (y: number) => 6 + (1 - (y - y0) / (y1 - y0 || 1)) * (size - 12);
  return (
    <figure className="rounded border border-slate-200 p-2" data-testid={testId}>
      <figcaption className="mb-1 text-xs font-medium text-slate-600">{title}</figcaption>
      <svg viewBox={`0 0 ${size} ${size}`} className="w-full max-w-[260px]" role="img" aria-label={title}>
        {points.map((p, i) => <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r="1.6" fill="#2563eb" fillOpacity="0.6" />)}
      </svg>
    </figure>
  );
}
