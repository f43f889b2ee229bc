/**
 * Cohen's kappa for two raters over the same items.
 *   unweighted: κ = (pₒ − pₑ) / (1 − pₑ), pₒ = share of items with equal labels, pₑ = Σ_c pA(c)·pB(c);
 *   quadratic-weighted (ordinal grades, e.g. relevance 0–3): disagreement weight w(i, j) = (i − j)² / (k − 1)² over the
 *   k categories, κ_w = 1 − Σ w·O / Σ w·E with O the observed and E the chance (product of marginals) proportions.
 * Matches scikit-learn's `cohen_kappa_score` (weights=None / "quadratic"). The categories default to the labels seen,
 * sorted; pass them explicitly for grades (0, 1, 2, 3) so the weights use the full scale. Degenerate case: when chance
 * agreement is total (both raters always used one and the same label) κ is undefined and returned as null.
 * The article's bar for labelling quality: κ ≥ 0.6.
 */
export type Label = string | number;
export type KappaWeights = "none" | "quadratic";

export const KAPPA_BAR = 0.6;

export interface KappaResult {
  n: number;
  kappa: number | null;
  /** observed agreement pₒ (unweighted) or 1 − Σw·O (weighted) */
  observed: number;
  /** chance agreement pₑ (unweighted) or 1 − Σw·E (weighted) */
  expected: number;
}

function sortLabels(a: Label, b: Label): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function cohensKappa(
  a: readonly Label[],
  b: readonly Label[],
  opts: { weights?: KappaWeights; categories?: readonly Label[] } = {},
): KappaResult {
  if (a.length !== b.length) throw new RangeError("both raters must label the same items");
  const n = a.length;
  const cats = opts.categories ? [...opts.categories] : [...new Set([...a, ...b])].sort(sortLabels);
  const index = new Map(cats.map((c, i) => [c, i]));
  for (const x of [...a, ...b]) if (!index.has(x)) throw new RangeError(`label ${JSON.stringify(x)} is not among the categories`);
  if (n === 0) return { n, kappa: null, observed: 0, expected: 0 };
  const k = cats.length;
  const O = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const pa = new Array<number>(k).fill(0);
  const pb = new Array<number>(k).fill(0);
  for (let t = 0; t < n; t++) {
    const i = index.get(a[t]!)!;
    const j = index.get(b[t]!)!;
    O[i]![j]! += 1 / n;
    pa[i]! += 1 / n;
    pb[j]! += 1 / n;
  }
  const quadratic = opts.weights === "quadratic";
  const w = (i: number, j: number) => (quadratic ? (k > 1 ? (i - j) ** 2 / (k - 1) ** 2 : 0) : i === j ? 0 : 1);
  let dO = 0;
  let dE = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      dO += w(i, j) * O[i]![j]!;
      dE += w(i, j) * pa[i]! * pb[j]!;
    }
  const observed = 1 - dO;
  const expected = 1 - dE;
  const kappa = dE < 1e-12 ? null : 1 - dO / dE;
  return { n, kappa, observed, expected };
}

export interface Judgement {
  itemId: string;
  reviewerId: string;
  label: Label;
}

export interface PairKappa extends KappaResult {
  reviewerA: string;
  reviewerB: string;
  /** kappa ≥ 0.6 (false when kappa is null) */
  meetsBar: boolean;
}

/**
 * Kappa for every pair of reviewers who judged at least one common item (pairs ordered by reviewer id, A < B),
 * over the items both judged. When a reviewer judged an item more than once, the last judgement in the list counts
 * (an edit or undo replaces the earlier one).
 */
export function pairwiseKappa(
  judgements: Iterable<Judgement>,
  opts: { weights?: KappaWeights; categories?: readonly Label[] } = {},
): PairKappa[] {
  const byReviewer = new Map<string, Map<string, Label>>();
  const all = new Set<Label>();
  for (const j of judgements) {
    let m = byReviewer.get(j.reviewerId);
    if (!m) byReviewer.set(j.reviewerId, (m = new Map()));
    m.set(j.itemId, j.label);
    all.add(j.label);
  }
  const categories = opts.categories ?? [...all].sort(sortLabels);
  const reviewers = [...byReviewer.keys()].sort();
  const out: PairKappa[] = [];
  for (let x = 0; x < reviewers.length; x++)
    for (let y = x + 1; y < reviewers.length; y++) {
      const A = byReviewer.get(reviewers[x]!)!;
      const B = byReviewer.get(reviewers[y]!)!;
      const items = [...A.keys()].filter((i) => B.has(i)).sort();
      if (!items.length) continue;
      const r = cohensKappa(
        items.map((i) => A.get(i)!),
        items.map((i) => B.get(i)!),
        { ...opts, categories },
      );
      out.push({ reviewerA: reviewers[x]!, reviewerB: reviewers[y]!, ...r, meetsBar: r.kappa !== null && r.kappa >= KAPPA_BAR });
    }
  return out;
}
