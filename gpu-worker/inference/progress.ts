/**
 * Throttles progress reports (each one is a database write in the worker): forwards a report when the
 * fraction moved by ≥ `minStep` or `minMs` passed since the last one, and always the final 1.
 */
export function throttleProgress(
  report: (fraction: number, message?: string) => Promise<void>,
  opts: { minStep?: number; minMs?: number } = {},
): (fraction: number, message?: string) => Promise<void> {
  const minStep = opts.minStep ?? 0.02;
  const minMs = opts.minMs ?? 2000;
  let lastF = -1;
  let lastT = 0;
  return async (fraction, message) => {
    const f = Math.max(0, Math.min(1, fraction));
    const now = Date.now();
    if (f < 1 && f - lastF < minStep && now - lastT < minMs) return;
    lastF = f;
    lastT = now;
    await report(f, message);
  };
}
