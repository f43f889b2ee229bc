import { describe, expect, it } from "vitest";
import { alignSeries, forLogScale, hasPositive, smoothEma } from "./chart-data";

describe("chart data", () => {
  it("lays series with different steps on one sorted x axis, null where a series has no point", () => {
    const { xs, ys } = alignSeries([
      { label: "run a", points: [[0, 1], [10, 2], [20, 3]] },
      { label: "run b", points: [[5, 9], [20, 7]] },
    ]);
    expect(xs).toEqual([0, 5, 10, 20]);
    expect(ys).toEqual([[1, null, 2, 3], [null, 9, null, 7]]);
  });

  it("adds x values without points (a time window's ends) as gaps in every series", () => {
    expect(alignSeries([{ label: "a", points: [[5, 1]] }], [0, 10])).toEqual({ xs: [0, 5, 10], ys: [[null, 1, null]] });
  });

  it("turns non-finite values into gaps", () => {
    expect(alignSeries([{ label: "x", points: [[1, Number.NaN], [2, 4]] }]).ys).toEqual([[null, 4]]);
  });

  it("smooths with a debiased moving average: the first point stays put, later ones lag", () => {
    const raw = [10, 0, 0, 0];
    const s = smoothEma(raw, 0.5);
    expect(s[0]).toBeCloseTo(10);
    // (0.5·5 + 0) … debiased: 2.5/0.75
    expect(s[1]).toBeCloseTo(5 / 1.5);
    expect(s[3]!).toBeLessThan(s[2]!);
    expect(s[3]!).toBeGreaterThan(0);
    expect(smoothEma(raw, 0)).toEqual(raw);
  });

  it("keeps gaps as gaps while smoothing over the series' own points", () => {
    const s = smoothEma([4, null, 4], 0.9);
    expect(s[1]).toBeNull();
    expect(s[0]).toBeCloseTo(4);
    expect(s[2]).toBeCloseTo(4);
  });

  it("drops values a log axis cannot place", () => {
    expect(forLogScale([0, -1, 2, null])).toEqual([null, null, 2, null]);
    expect(hasPositive([{ label: "a", points: [[0, 0], [1, -2]] }])).toBe(false);
    expect(hasPositive([{ label: "a", points: [[0, 0], [1, 3e-5]] }])).toBe(true);
  });
});
