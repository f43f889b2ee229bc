import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LexicalWeights } from "~/server/lib/retrieval/sparse";

/**
 * Corpus embeddings cached per model and dataset version: the key hashes the model's identity (path, size and
 * mtime of its ONNX/weights/tokenizer files), the corpus content (ids and texts), the max length and the
 * outputs. Entries are written to a temp folder and renamed (atomic); a corrupt entry is ignored.
 */
export interface CachedCorpus {
  dim: number;
  dense: Float32Array;
  sparse?: LexicalWeights[];
}

export function modelFingerprint(modelDir: string): string {
  const h = createHash("sha256").update(path.resolve(modelDir));
  for (const f of ["onnx/model.onnx", "model.safetensors", "tokenizer.json", "sparse_linear.pt", "colbert_linear.pt"]) {
    const p = path.join(modelDir, f);
    if (existsSync(p)) {
      const s = statSync(p);
      h.update(`${f}:${s.size}:${s.mtimeMs}`);
    }
  }
  return h.digest("hex").slice(0, 16);
}

export function corpusCacheKey(model: string, docs: ReadonlyArray<{ id: string; text: string }>, maxLength: number, withSparse: boolean): string {
  const h = createHash("sha256").update(`${model}\0${maxLength}\0${withSparse}\0`);
  for (const d of docs) h.update(d.id).update("\0").update(d.text).update("\u0001");
  return h.digest("hex").slice(0, 32);
}

export function readCorpusCache(cacheDir: string, key: string): CachedCorpus | null {
  const dir = path.join(cacheDir, key);
  try {
    const meta = JSON.parse(readFileSync(path.join(dir, "meta.json"), "utf8")) as { dim: number; n: number; sparse: boolean };
    const buf = readFileSync(path.join(dir, "dense.f32"));
    const dense = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (dense.length !== meta.n * meta.dim) return null;
    const sparse = meta.sparse
      ? (JSON.parse(readFileSync(path.join(dir, "sparse.json"), "utf8")) as Array<Array<[number, number]>>).map((e) => new Map(e))
      : undefined;
    return { dim: meta.dim, dense, sparse };
  } catch {
    return null;
  }
}

export function writeCorpusCache(cacheDir: string, key: string, entry: CachedCorpus): void {
  const dir = path.join(cacheDir, key);
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  const n = entry.dense.length / entry.dim;
  writeFileSync(path.join(tmp, "dense.f32"), Buffer.from(entry.dense.buffer, entry.dense.byteOffset, entry.dense.byteLength));
  if (entry.sparse) writeFileSync(path.join(tmp, "sparse.json"), JSON.stringify(entry.sparse.map((m) => [...m])));
  writeFileSync(path.join(tmp, "meta.json"), JSON.stringify({ dim: entry.dim, n, sparse: !!entry.sparse }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}
