/**
 * The numbers a quality warning is worded from, formatted the way its message reads them: rates as percentages,
 * counts as integers, the TF-IDF cosine with two decimals. Codes and units are server/lib/quality/score.ts's.
 */
const COUNTS = new Set(["too-few-samples", "leakage-exact"]);
const COSINES = new Set(["pos-neg-similar"]);

export function warningValues(code: string, value: number, threshold: number, locale: string): { value: string; threshold: string } {
  const format = (x: number) =>
    COUNTS.has(code) ? x.toLocaleString(locale, { maximumFractionDigits: 0 })
      : COSINES.has(code) ? x.toFixed(2)
        : `${(x * 100).toFixed(1)}%`;
  return { value: format(value), threshold: format(threshold) };
}
