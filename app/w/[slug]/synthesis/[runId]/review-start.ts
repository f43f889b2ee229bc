/**
 * Where a reviewer's queue opens: at the first candidate they have not judged yet, so coming back to a run resumes
 * the work instead of starting again at candidate 1 (#20 item 8). A finished queue opens at its last candidate.
 */
export function firstUnreviewedIndex(items: ReadonlyArray<{ mine: unknown }>): number {
  const i = items.findIndex((item) => !item.mine);
  return i >= 0 ? i : Math.max(0, items.length - 1);
}
