"use client";

import { useFormatter, useNow } from "next-intl";

/** How often relative times re-read the clock: "2 minutes ago" keeps ageing while a page stays open. */
export const RELATIVE_TIME_REFRESH_MS = 30_000;

/**
 * "3 minutes ago" / "3 分钟前", measured from a clock that ticks (useNow), passed explicitly so next-intl never falls
 * back to the environment's clock (its ENVIRONMENT_FALLBACK error, #20 item 12). The first render uses the request's
 * `now` from the provider, so server and browser markup agree.
 */
export function RelativeTime({ date }: { date: Date | string | number }) {
  const format = useFormatter();
  const now = useNow({ updateInterval: RELATIVE_TIME_REFRESH_MS });
  const value = date instanceof Date ? date : new Date(date);
  return <time dateTime={value.toISOString()} title={format.dateTime(value, { dateStyle: "medium", timeStyle: "short" })}>{format.relativeTime(value, now)}</time>;
}

/** The same as a function, for relative times inside a message (`t("used", { when: relative(date) })`). */
export function useRelativeTime(): (date: Date | string | number) => string {
  const format = useFormatter();
  const now = useNow({ updateInterval: RELATIVE_TIME_REFRESH_MS });
  return (date) => format.relativeTime(date instanceof Date ? date : new Date(date), now);
}
