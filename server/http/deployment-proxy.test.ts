import { describe, expect, it } from "vitest";
import { chooseVariant } from "./deployment-proxy";

describe("chooseVariant", () => {
  it("is sticky per user and raising B's weight only moves users from A to B", () => {
    const users = Array.from({ length: 2000 }, (_, i) => `u${i}`);
    const at = (w: number) => users.map((u) => chooseVariant("split-1", u, w));
    const w20 = at(20);
    const w50 = at(50);
    expect(at(20)).toEqual(w20);
    expect(users.every((_, i) => w20[i] === "A" || w50[i] === "B")).toBe(true);
    // 2000 draws: sd ≈ 9 users at 20%, 11 at 50%.
    expect(Math.abs(w20.filter((v) => v === "B").length - 400)).toBeLessThan(60);
    expect(Math.abs(w50.filter((v) => v === "B").length - 1000)).toBeLessThan(70);
    expect(at(0).every((v) => v === "A")).toBe(true);
    expect(at(100).every((v) => v === "B")).toBe(true);
    // Another split assigns independently.
    expect(users.map((u) => chooseVariant("split-2", u, 50))).not.toEqual(w50);
  });
});
