/**
 * Tolerant parser of an LLM reply into at most k questions. Accepted shapes, tried in order:
 * 1. JSON (optionally inside ``` fences, or embedded in prose: the first [...] or {...} block): an array of strings,
 *    an array of objects with a `question`/`query`/`q` field, or an object with a `questions`/`queries` array;
 * 2. a list: lines starting with `1.`, `1)`, `1、`, `(1)`, `Q1:`, `问题1：`, `-`, `*`, `•`;
 * 3. otherwise, lines that end with a question mark (? or ？).
 * Items are trimmed, unquoted, de-duplicated and empty ones dropped. When nothing usable is found the reply is
 * "malformed": the caller counts it and moves on; this function never throws.
 */
export interface ParsedQuestions {
  questions: string[];
  malformed: boolean;
  /** which rule read the reply */
  shape: "json" | "list" | "question-lines" | "none";
}

function clean(s: string): string {
  return s
    .trim()
    .replace(/^["'“”‘’「」]+|["'“”‘’「」,，]+$/g, "")
    .trim();
}

function fromJson(v: unknown): string[] | null {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      if (typeof x === "string") out.push(x);
      else if (x && typeof x === "object") {
        const o = x as Record<string, unknown>;
        const q = o.question ?? o.query ?? o.q;
        if (typeof q === "string") out.push(q);
      }
    }
    return out;
  }
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const list = o.questions ?? o.queries;
    if (Array.isArray(list)) return fromJson(list);
  }
  return null;
}

function tryJson(s: string): string[] | null {
  try {
    return fromJson(JSON.parse(s));
  } catch {
    return null;
  }
}

const LIST_ITEM = /^\s*(?:\d+\s*[.)、:：．]|\(\d+\)|（\d+）|[Qq]\d+\s*[:：.]|问题\s*\d+\s*[:：.、]|[-*•])\s*(.+)$/;

export function parseQuestions(reply: string, k: number): ParsedQuestions {
  const finish = (items: string[], shape: ParsedQuestions["shape"]): ParsedQuestions => {
    const seen = new Set<string>();
    const questions: string[] = [];
    for (const raw of items) {
      const q = clean(raw);
      if (!q || seen.has(q)) continue;
      seen.add(q);
      questions.push(q);
      if (questions.length >= k) break;
    }
    return questions.length ? { questions, malformed: false, shape } : { questions: [], malformed: true, shape: "none" };
  };
  const text = typeof reply === "string" ? reply : "";
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
  const candidates = [fence?.[1], text, /\[[\s\S]*\]/.exec(text)?.[0], /\{[\s\S]*\}/.exec(text)?.[0]];
  for (const c of candidates) {
    if (c === undefined) continue;
    const got = tryJson(c.trim());
    if (got && got.length) return finish(got, "json");
  }
  const body = fence?.[1] ?? text;
  const listed = body.split(/\r?\n/).flatMap((l) => {
    const m = LIST_ITEM.exec(l);
    return m ? [m[1]!] : [];
  });
  if (listed.length) return finish(listed, "list");
  const qLines = body.split(/\r?\n/).filter((l) => /[?？]\s*$/.test(l));
  if (qLines.length) return finish(qLines, "question-lines");
  return { questions: [], malformed: true, shape: "none" };
}
