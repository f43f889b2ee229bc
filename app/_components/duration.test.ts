import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "~/server/i18n/messages/en.json";
import zh from "~/server/i18n/messages/zh.json";
import { elapsedSeconds, formatDuration, type DurationTranslator } from "./duration";

const words = (locale: "en" | "zh") => createTranslator({ locale, messages: locale === "en" ? en : zh, namespace: "duration" }) as unknown as DurationTranslator;

describe("run and job durations (#20 item 3)", () => {
  it("measures a finished run start to end, a running one to now, nothing before the start", () => {
    const start = new Date("2026-12-03T10:00:00Z");
    expect(elapsedSeconds(start, new Date("2026-12-03T10:12:29Z"), new Date("2026-12-03T11:00:00Z"))).toBe(749);
    expect(elapsedSeconds(start.toISOString(), null, new Date("2026-12-03T10:00:42Z"))).toBe(42);
    expect(elapsedSeconds(null, null, new Date())).toBeNull();
  });

  it("words it in both languages, two units at most", () => {
    expect(formatDuration(749, words("en"))).toBe("12 min 29 s");
    expect(formatDuration(3725, words("en"))).toBe("1 h 2 min");
    expect(formatDuration(9, words("en"))).toBe("9 s");
    expect(formatDuration(749, words("zh"))).toBe("12 分 29 秒");
    expect(formatDuration(3725, words("zh"))).toBe("1 小时 2 分");
  });
});
