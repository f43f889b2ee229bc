import { once } from "node:events";
import { createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream } from "node:fs";
import path from "node:path";

/**
 * A text file written as a stream into a temp file beside it and renamed into place on commit, so a reader (or a
 * resumed job) never sees half a file. Writes wait for the stream to drain: memory stays flat however much is written.
 */
export class AtomicTextFile {
  private readonly stream: WriteStream;
  private readonly tmp: string;
  private failure: Error | null = null;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
    this.stream = createWriteStream(this.tmp);
    this.stream.on("error", (e) => (this.failure = e));
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream.write(text)) return;
    // Wait for the buffer to empty, or for the error that means it never will (listeners removed either way).
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("error", done);
    });
    if (this.failure) throw this.failure;
  }

  async commit(): Promise<void> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, "close");
    if (this.failure) throw this.failure;
    renameSync(this.tmp, this.file);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    if (!this.stream.closed) await once(this.stream, "close").catch(() => {});
    rmSync(this.tmp, { force: true });
  }
}
