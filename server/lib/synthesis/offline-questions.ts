/**
 * Offline extractive question generator: without an LLM, still produce plausible candidate queries from a chunk
 * (they go through the same review queue, so precision matters more than variety). Deterministic: the same chunk and
 * k always give the same questions.
 *
 * Language: Chinese when at least 30% of the letters are CJK, else English.
 * Rules, applied sentence by sentence in order (each sentence yields at most one question):
 *   en: "symptoms/signs of X include…" → "What are the symptoms of X?"; "treatment(s) for X…" → "How is X treated?";
 *       "X is/are caused by…" → "What causes X?"; "X is diagnosed…" → "How is X diagnosed?"; "to prevent X" →
 *       "How can X be prevented?"; "X is/are (a|an|the) …" → "What is/are X?" (not for pronoun subjects).
 *   zh: "X的症状(有|包括|是)…" → "X有哪些症状？"; "X是由…引起/导致" → "X是什么原因引起的？"; "治疗X…" →
 *       "X怎么治疗？"; "预防X" → "如何预防X？"; "X是指/是一种…" → "什么是X？".
 * If fewer than k come out, keyword questions fill up: the chunk's most frequent content phrase P (English: the
 * most frequent non-stop-word bigram seen twice, else word; Chinese: the most frequent 2–4 character run seen twice,
 * else bigram) → "What is P?", "What should I know about P?" / "P是什么？", "关于P需要注意什么？".
 */
export type QuestionLanguage = "zh" | "en";

const CJK = /[\p{Script=Han}]/u;

export function detectLanguage(text: string): QuestionLanguage {
  let cjk = 0;
  let letters = 0;
  for (const ch of text) {
    if (CJK.test(ch)) cjk++;
    else if (/\p{L}/u.test(ch)) letters++;
  }
  // a CJK character carries about as much as a short word, so compare against words, not letters
  return cjk > 0 && cjk >= 0.3 * (cjk + letters / 5) ? "zh" : "en";
}

const EN_STOP = new Set(
  "a an the and or but of to in on at for with by from as is are was were be been being it its this that these those there their they them he she his her you your we our can may might will would should could not no do does did have has had than then so such also more most other some any each which who whom what when where why how into about over after before between through during up down out if very just only own same both few many much".split(
    " ",
  ),
);
const ZH_LEAD = /^(?:而且|并且|因此|所以|但是|但|此外|另外|如果|一般|通常|其中|同时|那么|这个|这种|由于|对于|患者|病人|您好|你好)+/;
const ZH_STOP_CHARS = /[的了是在和与或及也都很就还把被对你我他她它们这那有个一不人]/;

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?。！？；;])\s*|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function tidyEn(x: string): string | null {
  const s = x.trim().replace(/^(?:the|a|an)\s+/i, "").replace(/[,;:]+$/, "").trim();
  if (s.length < 3 || s.length > 80 || s.split(/\s+/).length > 8) return null;
  if (/^(?:it|this|that|these|those|they|there|he|she|we|you|which|who)$/i.test(s)) return null;
  return s;
}

function tidyZh(x: string): string | null {
  const parts = x.split(/[，,、；;：:（）()\s]/);
  let s = (parts[parts.length - 1] ?? "").replace(ZH_LEAD, "").trim();
  s = s.replace(/^(?:的|了|是)+|(?:的|了)+$/g, "");
  if (Array.from(s).length < 2 || Array.from(s).length > 15 || !CJK.test(s)) return null;
  return s;
}

const EN_RULES: Array<[RegExp, (m: RegExpExecArray) => string | null]> = [
  [/\b(?:symptoms|signs)(?: and (?:symptoms|signs))? of (.+?) (?:may |can |often |usually )?(?:include|are|vary)\b/i, (m) => ask(tidyEn(m[1]!), (x) => `What are the symptoms of ${x}?`)],
  [/\btreatments? (?:for|of) (.+?) (?:may |can |often |usually )?(?:include|includes|is|are|depends)\b/i, (m) => ask(tidyEn(m[1]!), (x) => `How is ${x} treated?`)],
  [/^(.+?) (?:is|are) (?:usually |often |mainly |mostly )?caused by\b/i, (m) => ask(tidyEn(m[1]!), (x) => `What causes ${x}?`)],
  [/^(.+?) (?:is|are|can be) diagnosed\b/i, (m) => ask(tidyEn(m[1]!), (x) => `How is ${x} diagnosed?`)],
  [/\b(?:to prevent|prevention of|preventing) (.+?)(?:[,.;]| is| are|$)/i, (m) => ask(tidyEn(m[1]!), (x) => `How can ${x} be prevented?`)],
  [/^(.+?) (is|are) (?:a|an|the|one of the|called|defined as) /i, (m) => ask(tidyEn(m[1]!), (x) => `What ${m[2]!.toLowerCase()} ${x}?`)],
];

const ZH_RULES: Array<[RegExp, (m: RegExpExecArray) => string | null]> = [
  [/(.{2,20}?)的(?:主要)?(?:症状|表现)(?:主要)?(?:有|包括|是|为)/, (m) => ask(tidyZh(m[1]!), (x) => `${x}有哪些症状？`)],
  [/(.{2,20}?)(?:是由|多由|主要由|常由|由)(?:.{1,30}?)(?:引起|导致|所致)/, (m) => ask(tidyZh(m[1]!), (x) => `${x}是什么原因引起的？`)],
  [/(?:治疗|医治)(.{2,12}?)(?:的方法|的药|可以|可|应|需要|主要|时|，|,|。)/, (m) => ask(tidyZh(m[1]!), (x) => `${x}怎么治疗？`)],
  [/预防(.{2,12}?)(?:的方法|可以|应|需要|，|,|。)/, (m) => ask(tidyZh(m[1]!), (x) => `如何预防${x}？`)],
  [/(.{2,20}?)(?:是指|是一种|是一类|指的是)/, (m) => ask(tidyZh(m[1]!), (x) => `什么是${x}？`)],
];

function ask(subject: string | null, make: (s: string) => string): string | null {
  return subject ? make(subject) : null;
}

function topPhraseEn(text: string): string | null {
  const words = text.match(/[A-Za-z][A-Za-z0-9'-]*/g) ?? [];
  const bi = new Map<string, number>();
  const uni = new Map<string, number>();
  words.forEach((w, i) => {
    const lw = w.toLowerCase();
    if (EN_STOP.has(lw) || lw.length < 3) return;
    uni.set(w, (uni.get(w) ?? 0) + 1);
    const nx = words[i + 1];
    if (nx && !EN_STOP.has(nx.toLowerCase()) && nx.length >= 3) bi.set(`${w} ${nx}`, (bi.get(`${w} ${nx}`) ?? 0) + 1);
  });
  const best = (m: Map<string, number>, min: number) => {
    let out: string | null = null;
    let n = min - 1;
    for (const [k, v] of m) if (v > n) [out, n] = [k, v];
    return out;
  };
  return best(bi, 2) ?? best(uni, 1);
}

function topPhraseZh(text: string): string | null {
  const counts = new Map<string, number>();
  for (const run of text.match(/[\p{Script=Han}]+/gu) ?? []) {
    const cs = Array.from(run);
    for (let n = 4; n >= 2; n--)
      for (let i = 0; i + n <= cs.length; i++) {
        const g = cs.slice(i, i + n).join("");
        if (ZH_STOP_CHARS.test(cs[i]!) || ZH_STOP_CHARS.test(cs[i + n - 1]!)) continue;
        counts.set(g, (counts.get(g) ?? 0) + 1);
      }
  }
  let out: string | null = null;
  let score = 0;
  for (const [g, c] of counts) {
    const s = c >= 2 ? c * Array.from(g).length : 0.5; // prefer longer repeated phrases
    if (s > score) [out, score] = [g, s];
  }
  return out;
}

export function generateOfflineQuestions(chunk: string, k: number, language: QuestionLanguage = detectLanguage(chunk)): string[] {
  const out: string[] = [];
  const push = (q: string | null) => {
    if (q && !out.includes(q) && out.length < k) out.push(q);
  };
  const rules = language === "zh" ? ZH_RULES : EN_RULES;
  for (const s of sentences(chunk)) {
    if (out.length >= k) break;
    for (const [re, make] of rules) {
      const m = re.exec(s);
      const q = m ? make(m) : null;
      if (q && !out.includes(q)) {
        push(q);
        break;
      }
    }
  }
  const p = language === "zh" ? topPhraseZh(chunk) : topPhraseEn(chunk);
  if (p) {
    if (language === "zh") {
      push(`${p}是什么？`);
      push(`关于${p}需要注意什么？`);
    } else {
      push(`What is ${p}?`);
      push(`What should I know about ${p}?`);
    }
  }
  return out;
}
