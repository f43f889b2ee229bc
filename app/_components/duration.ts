/**
 * Elapsed time of a run or job, and its wording. Pure, so the list and the page agree and a test can pin them.
 * A run that has started but not finished is measured to `now` (the caller's ticking clock).
 */
export function elapsedSeconds(startedAt: Date | string | null | undefined, finishedAt: Date | string | null | undefined, now: Date): number | null {
  if (!startedAt) return null;
  const start = new Date(startedAt).getTime();
  const end = finishedAt ? new Date(finishedAt).getTime() : now.getTime();
  return Math.max(0, Math.round((end - start) / 1000));
}

export type DurationTranslator = (key: "hours" | "minutes" | "seconds", values: { h: number; m: number; s: number }) => string;

/** "1 h 05 min" / "4 min 12 s" / "9 s" (messages `duration.*`): two units at most, the larger first. */
export function formatDuration(seconds: number, t: DurationTranslator): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? t("hours", { h, m, s }) : m ? t("minutes", { h, m, s }) : t("seconds", { h, m, s });
}
