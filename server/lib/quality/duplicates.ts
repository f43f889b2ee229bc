import { exactKey } from "./text";

/**
 * Exact duplicates as in the article: rows with the same (query, first positive) as an earlier row, compared by
 * `exactKey` (NFKC; case, whitespace and punctuation ignored). Rate = duplicate rows / rows. Also reports rows whose
 * query alone repeats (a weaker signal: one question may legitimately have several positives).
 */
export interface DuplicateStats {
  duplicateRows: number;
  rate: number;
  duplicateQueries: number;
  queryRate: number;
  /** first few duplicate rows: [row, earlier row] */
  examples: Array<[number, number]>;
}

export function exactDuplicates(rows: ReadonlyArray<{ query: string; pos: readonly string[] }>, maxExamples = 20): DuplicateStats {
  const seenPair = new Map<string, number>();
  const seenQuery = new Set<string>();
  let duplicateRows = 0;
  let duplicateQueries = 0;
  const examples: Array<[number, number]> = [];
  rows.forEach((r, i) => {
    const q = exactKey(r.query);
    const key = `${q}\u0000${exactKey(r.pos[0] ?? "")}`;
    const first = seenPair.get(key);
    if (first !== undefined) {
      duplicateRows++;
      if (examples.length < maxExamples) examples.push([i, first]);
    } else seenPair.set(key, i);
    if (seenQuery.has(q)) duplicateQueries++;
    else seenQuery.add(q);
  });
  const n = rows.length;
  return { duplicateRows, rate: n ? duplicateRows / n : 0, duplicateQueries, queryRate: n ? duplicateQueries / n : 0, examples };
}
