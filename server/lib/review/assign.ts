import { mulberry32 } from "../metrics/rng";

/**
 * Overlap assignment: each item goes to `overlap` distinct reviewers (the article: every sample labelled by at least
 * two people), so agreement can be measured.
 * Greedy, in a seeded shuffled item order: an item takes the `overlap` reviewers with the lowest load so far; ties
 * go to the reviewer who has shared fewest items with those already chosen for this item (so every pair of
 * reviewers gets common items for kappa), then to a seeded random order. Guarantees: loads differ by at most 1;
 * deterministic for (items, reviewers, overlap, seed). Result in the input item order.
 */
export interface Assignment {
  itemId: string;
  reviewerIds: string[];
}

export function assignOverlap(
  itemIds: readonly string[],
  reviewerIds: readonly string[],
  opts: { overlap: number; seed?: number },
): Assignment[] {
  const { overlap } = opts;
  const R = reviewerIds.length;
  if (new Set(reviewerIds).size !== R) throw new RangeError("reviewer ids must be distinct");
  if (!Number.isInteger(overlap) || overlap < 1 || overlap > R) throw new RangeError(`overlap must be an integer from 1 to ${R} (the number of reviewers)`);
  const rand = mulberry32(opts.seed ?? 1);
  const tiebreak = reviewerIds.map(() => rand());
  const order = itemIds.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const load = new Array<number>(R).fill(0);
  const shared = Array.from({ length: R }, () => new Array<number>(R).fill(0));
  const result = new Array<string[]>(itemIds.length);
  for (const item of order) {
    const chosen: number[] = [];
    for (let s = 0; s < overlap; s++) {
      let best = -1;
      for (let r = 0; r < R; r++) {
        if (chosen.includes(r)) continue;
        if (best < 0) {
          best = r;
          continue;
        }
        const co = (x: number) => chosen.reduce((t, c) => t + shared[x]![c]!, 0);
        const cmp = load[r]! - load[best]! || co(r) - co(best) || tiebreak[r]! - tiebreak[best]!;
        if (cmp < 0) best = r;
      }
      chosen.push(best);
    }
    for (const c of chosen) {
      load[c]!++;
      for (const d of chosen) if (c !== d) shared[c]![d]!++;
    }
    result[item] = chosen.map((c) => reviewerIds[c]!);
  }
  return itemIds.map((itemId, i) => ({ itemId, reviewerIds: result[i]! }));
}
