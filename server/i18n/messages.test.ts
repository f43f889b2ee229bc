import { describe, expect, it } from "vitest";
import en from "./messages/en.json";
import zh from "./messages/zh.json";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("UI messages", () => {
  it("Chinese and English have the same keys", () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });

  it("no message is empty", () => {
    for (const [name, messages] of Object.entries({ en, zh })) {
      const empty = keys(messages).filter((k) => k.split(".").reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], messages) === "");
      expect(empty, name).toEqual([]);
    }
  });

  it("the Chinese UI calls the demo workspace one thing (示例工作区, never 演示工作区) (#20 item 4)", () => {
    const values = keys(zh).map((k) => k.split(".").reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], zh) as string);
    expect(values.filter((v) => v.includes("演示工作区"))).toEqual([]);
    expect(values.some((v) => v.includes("示例工作区"))).toBe(true);
  });
});
