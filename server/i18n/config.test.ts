import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { createFormatter, IntlErrorCode, NextIntlClientProvider, type IntlError } from "next-intl";
import { describe, expect, it } from "vitest";
import { RelativeTime } from "~/app/_components/relative-time";
import { intlConfig } from "./config";
import { LOCALES } from "./locales";

const tenMinutesAgo = (now: Date) => new Date(now.getTime() - 10 * 60_000);

describe("next-intl configuration (#20 item 12: ENVIRONMENT_FALLBACK on every relative time)", () => {
  it("without now/timeZone next-intl reports ENVIRONMENT_FALLBACK (the check can fail)", () => {
    const errors: IntlError[] = [];
    createFormatter({ locale: "en", onError: (e) => errors.push(e) }).relativeTime(new Date(Date.now() - 60_000));
    expect(errors.map((e) => e.code)).toContain(IntlErrorCode.ENVIRONMENT_FALLBACK);
  });

  for (const locale of LOCALES) {
    it(`the request config for ${locale} formats relative times without a fallback`, async () => {
      const config = await intlConfig(locale);
      const errors: IntlError[] = [];
      const text = createFormatter({ ...config, onError: (e) => errors.push(e) }).relativeTime(tenMinutesAgo(config.now));
      expect(errors).toEqual([]);
      expect(text).toBe(locale === "zh" ? "10分钟前" : "10 minutes ago");
    });

    it(`<RelativeTime> renders under the ${locale} provider without a fallback`, async () => {
      const config = await intlConfig(locale);
      const errors: IntlError[] = [];
      const html = renderToString(
        createElement(NextIntlClientProvider, {
          ...config,
          onError: (e: IntlError) => void errors.push(e),
          children: createElement(RelativeTime, { date: tenMinutesAgo(config.now) }),
        }),
      );
      expect(errors).toEqual([]);
      expect(html).toContain(locale === "zh" ? "10分钟前" : "10 minutes ago");
    });
  }
});
