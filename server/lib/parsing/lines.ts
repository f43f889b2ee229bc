import { detectEncoding, HEAD_BYTES, isValidGb18030, sniffBom, type TextEncoding } from "./encoding";
import { importError } from "./issues";
import { chunksOf, displayName, type ByteSource } from "./source";

/** Default cap on one line (bytes, without the line break): 8 MiB. Configurable per import. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface ReadLinesOptions {
  /** A line longer than this (in bytes) is an ImportError naming it; it is never buffered beyond the limit. */
  maxLineBytes?: number;
  /** Name used in issues (default: the path's base name). */
  file?: string;
  /** Skip detection. */
  encoding?: TextEncoding;
}

export interface Line {
  line: number;
  text: string;
}

/**
 * Streams decoded lines with 1-based numbers. Lines split on LF at byte level (safe for UTF-8 and GB18030, whose
 * multi-byte sequences never contain 0x0A); a trailing CR is dropped (CRLF); a BOM at the start of the file and a
 * U+FEFF at the start of any line (files concatenated with `cat`) are removed. Empty lines are yielded (numbering
 * stays true); a final line without LF is yielded when non-empty.
 *
 * Encoding: `detectEncoding` on the first 64 KiB. If that head was pure ASCII the choice is provisional: the first
 * line holding non-ASCII bytes decides (UTF-8 if valid, else GB18030 if valid). A line that fails to decode in the
 * chosen encoding is an ImportError naming it. Memory: one chunk plus at most one line of `maxLineBytes`.
 */
export async function* readLines(source: ByteSource, opts: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const file = displayName(source, opts.file);
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let encoding: TextEncoding | null = opts.encoding ?? null;
  let provisional = false;
  let decoder: TextDecoder | null = null;
  let lineNo = 0;
  let parts: Uint8Array[] = [];
  let partsLen = 0;
  let head: Uint8Array[] | null = encoding ? null : [];
  let headLen = 0;
  let first = true;

  const decode = (bytes: Uint8Array, line: number): string => {
    if (provisional && bytes.some((b) => b >= 0x80)) {
      provisional = false;
      try {
        return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        if (!isValidGb18030(bytes)) throw importError({ file, line }, null, "invalid UTF-8 and not GB18030 either; re-save the file as UTF-8");
        encoding = "gb18030";
        decoder = new TextDecoder("gb18030", { fatal: true, ignoreBOM: true });
      }
    }
    try {
      return decoder!.decode(bytes);
    } catch {
      throw importError({ file, line }, null, `invalid ${encoding === "gb18030" ? "GB18030" : "UTF-8"} byte sequence (is the file in one encoding?)`);
    }
  };

  const emit = (bytes: Uint8Array): Line => {
    lineNo++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    let text = decode(bytes.subarray(0, end), lineNo);
    while (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { line: lineNo, text };
  };

  const tooLong = () =>
    importError({ file, line: lineNo + 1 }, null, `line is longer than the limit of ${maxLineBytes} bytes`);

  async function* process(chunk: Uint8Array): AsyncGenerator<Line> {
    if (first) {
      first = false;
      const bom = sniffBom(chunk);
      if (bom && (bom.encoding === "utf-8" || bom.encoding === "gb18030")) chunk = chunk.subarray(bom.length);
    }
    let pos = 0;
    while (pos < chunk.length) {
      const lf = chunk.indexOf(0x0a, pos);
      const end = lf < 0 ? chunk.length : lf;
      const seg = chunk.subarray(pos, end);
      if (lf < 0) {
        // +1: the byte may be the CR of a CRLF whose LF is in the next chunk.
        if (partsLen + seg.length > maxLineBytes + 1) throw tooLong();
        if (seg.length) {
          parts.push(seg.slice());
          partsLen += seg.length;
        }
        return;
      }
      let bytes: Uint8Array;
      if (parts.length === 0) bytes = seg;
      else {
        parts.push(seg);
        bytes = concat(parts, partsLen + seg.length);
        parts = [];
        partsLen = 0;
      }
      const crlf = bytes[bytes.length - 1] === 0x0d ? 1 : 0;
      if (bytes.length - crlf > maxLineBytes) throw tooLong();
      yield emit(bytes);
      pos = lf + 1;
    }
  }

  const start = (h: Uint8Array) => {
    if (!encoding) {
      encoding = detectEncoding(h, file);
      const bom = sniffBom(h);
      provisional = !bom && encoding === "utf-8" && !h.some((b) => b >= 0x80);
    }
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  };

  if (!head) start(new Uint8Array(0));
  for await (const chunk of chunksOf(source)) {
    if (head) {
      head.push(chunk);
      headLen += chunk.length;
      if (headLen < HEAD_BYTES) continue;
      const h = concat(head, headLen);
      head = null;
      start(h);
      yield* process(h);
    } else {
      yield* process(chunk);
    }
  }
  if (head) {
    const h = concat(head, headLen);
    head = null;
    start(h);
    yield* process(h);
  }
  if (partsLen > 0) {
    const last = concat(parts, partsLen);
    if (last.length - (last[last.length - 1] === 0x0d ? 1 : 0) > maxLineBytes) throw tooLong();
    yield emit(last);
  }
}

function concat(parts: Uint8Array[], len: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
