import { describe, expect, it } from "vitest";
import { formatAxisNumber } from "./axis-number";

describe("chart axis numbers (#20 item 3: the lr axis read 0000033)", () => {
  it("writes small learning rates in exponent form that fits the gutter", () => {
    expect(formatAxisNumber(3.3e-5)).toBe("3.3e-5");
    expect(formatAxisNumber(2e-5)).toBe("2e-5");
    expect(formatAxisNumber(-1.25e-4)).toBe("-1.3e-4");
  });
  it("keeps ordinary values readable", () => {
    expect(formatAxisNumber(0)).toBe("0");
    expect(formatAxisNumber(0.0123)).toBe("0.012");
    expect(formatAxisNumber(0.5)).toBe("0.5");
    expect(formatAxisNumber(2.345)).toBe("2.35");
    expect(formatAxisNumber(1234.4)).toBe("1234");
    expect(formatAxisNumber(2_500_000)).toBe("2.5e6");
  });
  it("never needs more than 7 characters for the values a run logs", () => {
    for (const v of [3.3e-5, 1e-7, 0.000999, 0.00123, 0.99, 7.5, 99.99, 512, 65536, 999_999, 1.5e9, -0.0004]) {
      expect(formatAxisNumber(v).length, String(v)).toBeLessThanOrEqual(7);
    }
  });
});
