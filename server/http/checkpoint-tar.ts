import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * The checkpoint download's archive (server/http/checkpoint-download.ts), streamed: an uncompressed ustar tar read
 * file by file, so a multi-GB folder never sits in memory. Kept apart from the route (no auth or db imports) so
 * tests can read what a download carries.
 */

/** One ustar header block (names up to 255 bytes through the prefix field). */
function tarHeader(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 154);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write(Math.floor(mtime / 1000).toString(8).padStart(11, "0") + "\0", 136);
  h.write("        ", 148);
  h.write("0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

async function* walk(dir: string, rel = ""): AsyncGenerator<{ abs: string; rel: string }> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith(".tmp")) continue;
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(abs, `${rel}${e.name}/`);
    else if (e.isFile()) yield { abs, rel: `${rel}${e.name}` };
  }
}

/** The checkpoint folder (Hugging Face layout, onnx/ with any external-data file included) plus README.md (the model
 *  card) as one uncompressed tar. Every file goes in, so an ONNX
 *  graph's external-data file (onnx/model.onnx.data) travels with it; .tmp* names (exports in progress) stay out. */
export async function* tarStream(dir: string, root: string, readme: string): AsyncGenerator<Buffer> {
  const card = Buffer.from(readme);
  yield tarHeader(`${root}/README.md`, card.length, Date.now());
  yield card;
  if (card.length % 512) yield Buffer.alloc(512 - (card.length % 512));
  for await (const f of walk(dir)) {
    const s = await stat(f.abs);
    yield tarHeader(`${root}/${f.rel}`, s.size, s.mtimeMs);
    for await (const chunk of createReadStream(f.abs)) yield chunk as Buffer;
    if (s.size % 512) yield Buffer.alloc(512 - (s.size % 512));
  }
  yield Buffer.alloc(1024);
}
