/**
 * Language-aware tokens for the quality checks. Chinese (and Japanese/Korean) has no spaces, so a run of CJK
 * characters yields overlapping character bigrams ("脂肪肝" → "脂肪", "肪肝"; a single character yields itself);
 * other scripts yield lower-cased word tokens of letters/digits. Text is NFKC-normalised first (full-width → ASCII).
 * Mixed text works: each run is tokenised by its own rule.
 */
const RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export interface Token {
  text: string;
  /** true for a CJK character n-gram, false for a word */
  cjk: boolean;
}

export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Key for "exact" duplicates and leakage: the letter/digit/CJK runs of the normalised text joined by one space, so
 * case, full-width forms, whitespace and punctuation do not matter ("What is X?" = "what  is x").
 */
export function exactKey(text: string): string {
  return Array.from(normalizeText(text).matchAll(RUN), (m) => m[0]).join(" ");
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of normalizeText(text).matchAll(RUN)) {
    const run = m[0];
    if (CJK.test(run)) {
      const chars = Array.from(run);
      if (chars.length === 1) out.push({ text: run, cjk: true });
      for (let i = 0; i + 1 < chars.length; i++) out.push({ text: chars[i]! + chars[i + 1]!, cjk: true });
    } else out.push({ text: run, cjk: false });
  }
  return out;
}

/** Term list for TF-IDF. */
export function terms(text: string): string[] {
  return tokenize(text).map((t) => t.text);
}

/**
 * Shingle set for near-duplicate detection: the tokens plus bigrams of consecutive words, so word order matters for
 * English ("symptoms of ABCD syndrome" vs "…of XYZ syndrome" share fewer shingles than words). CJK bigrams already
 * encode order.
 */
export function shingles(text: string): Set<string> {
  const toks = tokenize(text);
  const set = new Set<string>();
  toks.forEach((t, i) => {
    set.add(t.text);
    const next = toks[i + 1];
    if (!t.cjk && next && !next.cjk) set.add(`${t.text} ${next.text}`);
  });
  return set;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
