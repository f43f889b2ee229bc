"use client";

import { useFormatter, useNow, useTranslations } from "next-intl";
import { elapsedSeconds, formatDuration, type DurationTranslator } from "./duration";
import { RELATIVE_TIME_REFRESH_MS } from "./relative-time";

/** (seconds) => "4 min 12 s" in the user's language. */
export function useDuration(): (seconds: number) => string {
  const t = useTranslations("duration");
  return (seconds) => formatDuration(seconds, t as unknown as DurationTranslator);
}

/** The elapsed time of something that started at `startedAt`, ticking every second while it has not finished. */
export function useElapsed(startedAt: Date | string | null | undefined, finishedAt: Date | string | null | undefined): number | null {
  const now = useNow({ updateInterval: startedAt && !finishedAt ? 1000 : RELATIVE_TIME_REFRESH_MS });
  return elapsedSeconds(startedAt, finishedAt, now);
}

/** Start, end and duration of a run or job (#20 item 3): "Started 10:02:11 · Finished 10:14:40 · 12 min 29 s". */
export function Timing({ startedAt, finishedAt, testId }: { startedAt: Date | string | null | undefined; finishedAt: Date | string | null | undefined; testId?: string }) {
  const t = useTranslations("duration");
  const format = useFormatter();
  const duration = useDuration();
  const elapsed = useElapsed(startedAt, finishedAt);
  const when = (d: Date | string) => format.dateTime(new Date(d), { dateStyle: "medium", timeStyle: "medium" });
  if (!startedAt) return <span className="text-xs text-slate-500" data-testid={testId}>{t("notStarted")}</span>;
  return (
    <span className="text-xs text-slate-600" data-testid={testId}>
      {t("started", { when: when(startedAt) })}
      {finishedAt ? ` · ${t("finished", { when: when(finishedAt) })}` : ""}
      {elapsed !== null ? ` · ${finishedAt ? t("took", { duration: duration(elapsed) }) : t("runningFor", { duration: duration(elapsed) })}` : ""}
    </span>
  );
}

/** A table cell's worth: the duration so far (ticking) or in all, "—" before the start. */
export function DurationText({ startedAt, finishedAt }: { startedAt: Date | string | null | undefined; finishedAt: Date | string | null | undefined }) {
  const duration = useDuration();
  const elapsed = useElapsed(startedAt, finishedAt);
  return <>{elapsed === null ? "—" : duration(elapsed)}</>;
}
