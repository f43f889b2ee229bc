import type { Locale } from "./locales";

/** Every date the UI shows is written in this zone (server and browser agree, so no hydration mismatch). */
export const UI_TIME_ZONE = "UTC";

/**
 * next-intl's per-request configuration for a locale. `timeZone` and `now` are set because without them
 * next-intl logs ENVIRONMENT_FALLBACK on every relative time it formats (#20 item 12); `now` is the request's
 * time, which the client provider inherits, so the first render in the browser matches the server's.
 * Relative times that must keep ageing on a long-lived page use <RelativeTime> (app/_components), which
 * re-reads the clock.
 */
export async function intlConfig(locale: Locale, now = new Date()) {
  const messages = (await import(`./messages/${locale}.json`)).default as Record<string, unknown>;
  return { locale, messages, timeZone: UI_TIME_ZONE, now };
}
