/**
 * Pure helpers behind the line charts: several series with different x values laid on one x axis (uPlot wants
 * one sorted x array and one y array per series, null where a series has no point), TensorBoard-style smoothing,
 * and what a log axis can show. Kept free of React and of uPlot so they are unit-tested.
 */
export interface ChartSeries {
  label: string;
  points: Array<[number, number]>;
}

/**
 * One sorted x array (the union of every series' x, plus `extraXs`) and, per series, its y at each x or null.
 * `extraXs` holds x values without points — the ends of a time window — so the axis spans the whole window while
 * only a few points exist (uPlot sizes the axis from the data).
 */
export function alignSeries(series: ChartSeries[], extraXs: number[] = []): { xs: number[]; ys: Array<Array<number | null>> } {
  const xs = [...new Set([...series.flatMap((s) => s.points.map((p) => p[0])), ...extraXs])].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const row: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    for (const [x, y] of s.points) row[at.get(x)!] = Number.isFinite(y) ? y : null;
    return row;
  });
  return { xs, ys };
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points are not pulled towards 0):
 * `weight` 0 returns the values unchanged, 0.99 is very smooth. Nulls stay null and do not reset the average,
 * so a series sampled on other steps than its neighbours is smoothed over its own points.
 */
export function smoothEma(values: Array<number | null>, weight: number): Array<number | null> {
  if (!(weight > 0)) return values.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v == null) return null;
    n++;
    last = last * w + (1 - w) * v;
    return last / (1 - w ** n);
  });
}

/** A log axis cannot place 0 or negative values: they become gaps instead of breaking the scale. */
export function forLogScale(values: Array<number | null>): Array<number | null> {
  return values.map((v) => (v != null && v > 0 ? v : null));
}

/** Whether any value of the series can sit on a log axis (the log toggle is offered only then). */
export function hasPositive(series: ChartSeries[]): boolean {
  return series.some((s) => s.points.some(([, y]) => y > 0));
}

/** The series' last value (the legend shows it when the cursor is not over the plot). */
export function lastValue(points: Array<[number, number]>): number | null {
  return points.length ? points[points.length - 1]![1] : null;
}
