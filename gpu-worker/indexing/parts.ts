import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createReadStream } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { writeFileAtomic } from "../inference/atomic-write";
import type { IndexedDocument } from "./types";

/**
 * Encoded batches on disk between encoding and export: `parts/<plan>/000000.jsonl`, one atomic file per batch of
 * documents (fixed size, in corpus order). A restarted job finds which batches exist and encodes only the rest;
 * the export then streams every part in order, so memory stays flat in corpus size.
 * Vectors are stored as base64 float32: the export reads back exactly what the model produced.
 */
const f32 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
const fromF32 = (s: string) => {
  const b = Buffer.from(s, "base64");
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice();
};

export function encodePartLine(doc: IndexedDocument): string {
  return JSON.stringify({
    id: doc.id,
    text: doc.text,
    dense: f32(doc.dense),
    ...(doc.sparse ? { sparse: [...doc.sparse] } : {}),
    ...(doc.colbert ? { colbert: f32(doc.colbert) } : {}),
  });
}

export function decodePartLine(line: string): IndexedDocument {
  const r = JSON.parse(line) as { id: string; text: string; dense: string; sparse?: Array<[number, number]>; colbert?: string };
  return { id: r.id, text: r.text, dense: fromF32(r.dense), sparse: r.sparse ? new Map(r.sparse) : undefined, colbert: r.colbert ? fromF32(r.colbert) : undefined };
}

export class PartStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(batch: number) {
    return path.join(this.dir, `${String(batch).padStart(6, "0")}.jsonl`);
  }

  /** Batches 0 … n−1 that are on disk (the first gap ends the run: later ones are redone). */
  completed(): number {
    let n = 0;
    while (existsSync(this.file(n))) n++;
    return n;
  }

  write(batch: number, docs: readonly IndexedDocument[]): void {
    writeFileAtomic(this.file(batch), docs.map((d) => encodePartLine(d) + "\n").join(""));
  }

  /** Every stored document, batch by batch, line by line. */
  async *documents(batches: number): AsyncGenerator<IndexedDocument> {
    for (let b = 0; b < batches; b++) {
      const lines = createInterface({ input: createReadStream(this.file(b)), crlfDelay: Infinity });
      for await (const line of lines) if (line) yield decodePartLine(line);
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Part folders of other plans (options changed between attempts) are stale. */
  static removeOthers(root: string, keep: string): void {
    if (!existsSync(root)) return;
    for (const name of readdirSync(root)) if (name !== keep) rmSync(path.join(root, name), { recursive: true, force: true });
  }

  static readJson<T>(file: string): T | null {
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : null;
  }
}
