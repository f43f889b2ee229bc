import { describe, expect, it } from "vitest";
import { firstUnreviewedIndex } from "./review-start";

describe("review queue start (#20 item 8: reopened at candidate 1)", () => {
  it("opens at the first candidate this reviewer has not judged", () => {
    const judged = { decision: "ACCEPT" };
    expect(firstUnreviewedIndex([{ mine: judged }, { mine: judged }, { mine: null }, { mine: null }])).toBe(2);
    expect(firstUnreviewedIndex([{ mine: null }, { mine: judged }])).toBe(0);
    expect(firstUnreviewedIndex([{ mine: judged }, { mine: judged }])).toBe(1);
    expect(firstUnreviewedIndex([])).toBe(0);
  });
});
