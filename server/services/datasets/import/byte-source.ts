import { createReadStream } from "node:fs";

/** Streams a file as byte chunks while counting bytes read, for progress reporting. */
export function countingSource(path: string, onBytes: (bytes: number) => void): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
        onBytes((chunk as Buffer).length);
        yield chunk as Buffer;
      }
    },
  };
}
