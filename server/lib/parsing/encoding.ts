import { importError } from "./issues";

/**
 * Text encodings we accept. GBK and GB2312 files decode as GB18030 (it is a superset of both).
 * UTF-16/32 are refused with a clear reason (re-save as UTF-8); archives are refused earlier by `assertSupportedFile`.
 */
export type TextEncoding = "utf-8" | "gb18030";

/** How many bytes of a file are sniffed for the encoding (and passed to `assertSupportedFile`). */
export const HEAD_BYTES = 64 * 1024;

export interface Bom {
  encoding: TextEncoding | "utf-16le" | "utf-16be" | "utf-32le" | "utf-32be";
  length: number;
}

/** The byte-order mark at the start of `head`, if any. */
export function sniffBom(head: Uint8Array): Bom | null {
  const [a, b, c, d] = [head[0], head[1], head[2], head[3]];
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: "utf-8", length: 3 };
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return { encoding: "utf-32le", length: 4 };
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return { encoding: "utf-32be", length: 4 };
  if (a === 0xff && b === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: "utf-16be", length: 2 };
  if (a === 0x84 && b === 0x31 && c === 0x95 && d === 0x33) return { encoding: "gb18030", length: 4 };
  return null;
}

/**
 * Offset of the first byte that is not strict UTF-8 (overlongs, surrogates and code points above U+10FFFF are
 * invalid), or -1. With `allowTruncatedEnd`, a multi-byte sequence cut off by the end of the buffer is accepted
 * (the buffer is a file's head, not the whole file).
 */
export function invalidUtf8Offset(bytes: Uint8Array, allowTruncatedEnd = false): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return allowTruncatedEnd ? -1 : i;
      const c = bytes[i + k]!;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Whether `bytes` decode as GB18030 without error (WHATWG decoder, fatal mode). */
export function isValidGb18030(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("gb18030", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** GB18030 validity of a head that may end in the middle of a character (at most 3 bytes cut off). */
function headIsGb18030(head: Uint8Array): boolean {
  for (let cut = 0; cut <= Math.min(3, head.length); cut++) {
    // only bytes that can start or continue a GB18030 sequence may be the cut-off tail
    if (cut > 0 && !(head[head.length - cut]! >= 0x81 && head[head.length - cut]! <= 0xfe) && cut === 1) return false;
    if (cut > 0 && head.subarray(head.length - cut).some((b) => b < 0x30 || b === 0x7f || b === 0xff)) return false;
    if (isValidGb18030(head.subarray(0, head.length - cut))) return true;
  }
  return false;
}

/**
 * Detects the encoding from a file's first bytes (pass up to `HEAD_BYTES`):
 * 1. a BOM decides (UTF-8 or GB18030; UTF-16/32 are refused with an ImportError);
 * 2. strict UTF-8 → "utf-8" (pure ASCII also reports "utf-8"; `readLines` then still switches to GB18030 if the first
 *    non-ASCII line further on is GB18030 and not UTF-8);
 * 3. otherwise valid GB18030 → "gb18030";
 * 4. otherwise an ImportError naming the line of the first invalid UTF-8 byte.
 */
export function detectEncoding(head: Uint8Array, file = "input"): TextEncoding {
  const bom = sniffBom(head);
  if (bom) {
    if (bom.encoding === "utf-8" || bom.encoding === "gb18030") return bom.encoding;
    throw importError(
      { file, line: 1 },
      null,
      `${bom.encoding.toUpperCase()} text is not supported; re-save the file as UTF-8`,
    );
  }
  const bad = invalidUtf8Offset(head, true);
  if (bad < 0) return "utf-8";
  const byte = `0x${head[bad]!.toString(16).toUpperCase().padStart(2, "0")}`;
  const line = lineOfOffset(head, bad);
  if (head.subarray(0, bad).some((b) => b >= 0x80))
    throw importError({ file, line }, null, `invalid UTF-8 (byte ${byte}) after UTF-8 text on earlier lines: the file mixes encodings; re-save it as UTF-8`);
  if (headIsGb18030(head)) return "gb18030";
  // name the first line that is neither UTF-8 nor GB18030 (earlier non-ASCII lines may be fine GB18030)
  let start = 0;
  for (let n = 1; start <= head.length; n++) {
    const lf = head.indexOf(0x0a, start);
    const end = lf < 0 ? head.length : lf;
    const l = head.subarray(start, end);
    if (invalidUtf8Offset(l, lf < 0) >= 0 && !(lf < 0 ? headIsGb18030(l) : isValidGb18030(l)))
      throw importError({ file, line: n }, null, `invalid UTF-8 and not GB18030 either; re-save the file as UTF-8`);
    if (lf < 0) break;
    start = lf + 1;
  }
  throw importError({ file, line }, null, `invalid UTF-8 (byte ${byte}) and not GB18030 either; re-save the file as UTF-8`);
}
