import { readFileSync } from "node:fs";

/** Reads a text file as UTF-8 (BOM stripped), falling back to GB18030 when it is not valid UTF-8. */
export function readTextFile(file: string): string {
  const buf = readFileSync(file);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buf).replace(/^\uFEFF/, "");
  } catch {
    return new TextDecoder("gb18030").decode(buf);
  }
}

/** JSON Lines with 1-based line numbers; a bad line throws naming file and line. */
export function readJsonl(file: string): Array<{ line: number; value: Record<string, unknown> }> {
  const out: Array<{ line: number; value: Record<string, unknown> }> = [];
  readTextFile(file)
    .split(/\r?\n/)
    .forEach((text, i) => {
      if (text.trim() === "") return;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (e) {
        throw new Error(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
      }
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${file}:${i + 1}: expected a JSON object`);
      out.push({ line: i + 1, value: v as Record<string, unknown> });
    });
  return out;
}
