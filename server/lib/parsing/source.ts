import { createReadStream } from "node:fs";
import { basename } from "node:path";

/**
 * Anything a reader can read: a file path (streamed in 64 KiB chunks) or an (async) iterable of byte chunks, for
 * example a storage download stream. Nothing is read whole.
 */
export type ByteSource = string | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (typeof source === "string") {
    const stream = createReadStream(source, { highWaterMark: 64 * 1024 });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } finally {
      stream.destroy();
    }
  } else {
    yield* source;
  }
}

/** The name issues use for a source: the `file` option, else the path's base name, else "input". */
export function displayName(source: ByteSource, file?: string): string {
  if (file) return file;
  return typeof source === "string" ? basename(source) : "input";
}
