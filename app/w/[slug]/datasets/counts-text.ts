/**
 * What a version holds, per record type: "567 queries · 1,134 documents · 567 judgements" rather than one total of
 * "rows" (an evaluation set's total mixes three kinds of record: #20 item 7). Types the version does not hold
 * are left out; the version's total is the fallback for versions without per-type counts.
 */
const ORDER = ["pair", "query", "doc", "qrel", "records"] as const;
export type CountName = (typeof ORDER)[number];
const isCountName = (k: string): k is CountName => (ORDER as readonly string[]).includes(k);

export function countsText(
  counts: unknown,
  total: number,
  name: (type: CountName) => string,
  number: (n: number) => string,
): string {
  const entries = Object.entries((counts ?? {}) as Record<string, unknown>)
    .filter((e): e is [CountName, number] => isCountName(e[0]) && typeof e[1] === "number" && e[1] > 0)
    .sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]));
  if (!entries.length) return `${number(total)} ${name("records")}`;
  return entries.map(([type, n]) => `${number(n)} ${name(type)}`).join(" · ");
}
