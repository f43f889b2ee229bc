/**
 * Chunking a document into overlapping windows measured in tokens of the chosen model.
 *
 * The tokenizer is injected, in one of two shapes:
 * - `offsets(text)` → the [start, end) character span of each token (exact: a chunk is tokens [i, i + size));
 * - `count(text)` → the number of tokens (a window is grown/shrunk in characters until it holds ≤ size tokens).
 * Without either, tokens are characters (Unicode code points). In character and count modes a window that would end
 * mid-sentence is cut back to the last sentence end (。！？.!? or a line break) when one lies in its last 30%, so
 * chunks read naturally; offsets mode cuts exactly at token boundaries.
 * Consecutive chunks share `overlap` tokens (0 ≤ overlap < size). Deterministic; chunks never empty.
 */
export type TokenOffsets = (text: string) => Array<[start: number, end: number]>;
export type TokenCount = (text: string) => number;

export interface ChunkOptions {
  size: number;
  overlap?: number;
  offsets?: TokenOffsets;
  count?: TokenCount;
}

export interface Chunk {
  index: number;
  /** character offsets into the original text (UTF-16 code units, as String.slice) */
  start: number;
  end: number;
  text: string;
  tokens: number;
}

const SENTENCE_END = /[。！？!?.\n]/;

export function chunkText(text: string, opts: ChunkOptions): Chunk[] {
  const size = Math.floor(opts.size);
  const overlap = Math.floor(opts.overlap ?? 0);
  if (!(size >= 1)) throw new RangeError("chunk size must be ≥ 1");
  if (overlap < 0 || overlap >= size) throw new RangeError("overlap must be ≥ 0 and < size");
  if (text.trim() === "") return [];
  if (opts.offsets) return byOffsets(text, opts.offsets(text), size, overlap);
  return byCharacters(text, size, overlap, opts.count);
}

function byOffsets(text: string, spans: Array<[number, number]>, size: number, overlap: number): Chunk[] {
  const out: Chunk[] = [];
  for (let i = 0; i < spans.length; i += size - overlap) {
    const last = Math.min(spans.length, i + size) - 1;
    const start = spans[i]![0];
    const end = spans[last]![1];
    out.push({ index: out.length, start, end, text: text.slice(start, end), tokens: last - i + 1 });
    if (last === spans.length - 1) break;
  }
  return out;
}

function byCharacters(text: string, size: number, overlap: number, count?: TokenCount): Chunk[] {
  // work on code points so a surrogate pair is never split
  const cps = Array.from(text);
  const pos: number[] = [0];
  for (const c of cps) pos.push(pos[pos.length - 1]! + c.length);
  const measure = (a: number, b: number) => (count ? count(text.slice(pos[a], pos[b])) : b - a);
  const ratio = count ? Math.max(0.05, cps.length / Math.max(1, count(text))) : 1; // characters per token
  const out: Chunk[] = [];
  let a = 0;
  while (a < cps.length) {
    let b = Math.min(cps.length, a + Math.max(1, Math.round(size * ratio)));
    if (count) {
      while (b > a + 1 && measure(a, b) > size) b = a + Math.max(1, Math.floor((b - a) * 0.9));
      while (b < cps.length && measure(a, b + 1) <= size) b++;
    }
    if (b < cps.length) {
      const min = a + Math.ceil((b - a) * 0.7);
      for (let k = b; k > min; k--) {
        if (SENTENCE_END.test(cps[k - 1]!)) {
          b = k;
          break;
        }
      }
    }
    const chunkText = text.slice(pos[a], pos[b]);
    if (chunkText.trim() !== "") out.push({ index: out.length, start: pos[a]!, end: pos[b]!, text: chunkText, tokens: measure(a, b) });
    if (b >= cps.length) break;
    // step back by `overlap` tokens (characters × ratio), always advancing
    const back = Math.round(overlap * ratio);
    a = Math.max(a + 1, b - back);
  }
  return out;
}
