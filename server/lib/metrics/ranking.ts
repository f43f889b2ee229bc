import type { ScoredDoc } from "./types";

/**
 * Byte-order (UTF-8 / code point) comparison, as C's strcmp on UTF-8 sees it.
 * JavaScript's `<` compares UTF-16 code units, which differs for astral characters; this does not.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1; // a surrogate encodes a code point above every BMP char
    return ca - cb;
  }
  return a.length - b.length;
}

/**
 * trec_eval's order: higher score first; equal scores by document id descending (byte order).
 * Non-finite scores are rejected by the parsers, so plain subtraction is safe here.
 */
export function compareRanked(a: ScoredDoc, b: ScoredDoc): number {
  if (a.score !== b.score) return b.score - a.score;
  return compareCodePoints(b.docId, a.docId);
}

/** Returns a new array in ranking order (the input is not modified). */
export function rankDocs(docs: readonly ScoredDoc[]): ScoredDoc[] {
  return [...docs].sort(compareRanked);
}
