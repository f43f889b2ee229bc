/**
 * A chart's tick/legend number in at most ~7 characters, so the axis label fits its gutter: very small or very large
 * values (a learning rate of 3.3e-5, 2e6 tokens) in exponent form, others with two significant decimals.
 * `toPrecision` alone wrote 3.3e-5 as "0.000033", which the y-axis gutter clipped to "0000033" (#20 item 3).
 */
export function formatAxisNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a < 1e-3 || a >= 1e6) return v.toExponential(1).replace(/\.0e/, "e").replace("e+", "e");
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return String(Number(v.toPrecision(2)));
}
