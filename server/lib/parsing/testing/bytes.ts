/** Input bytes for the parsing tests: UTF-8 text, or text and raw byte runs (BOMs, GB18030) joined. */
export const enc = (s: string) => new TextEncoder().encode(s);
export const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));
