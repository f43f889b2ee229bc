import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { env } from "../env";
import { AppError } from "../lib/app-error";

/**
 * Artifact storage on the local file system (ARTIFACTS_DIR). Every write goes to a temp file
 * in the same folder and is renamed into place, so readers never see half a file.
 */
export function artifactsRoot(): string {
  return path.resolve(env.ARTIFACTS_DIR);
}

/** Resolves a stored relative path, refusing anything that escapes the artifacts folder. */
export function resolveArtifact(relative: string): string {
  const root = artifactsRoot();
  const full = path.resolve(root, relative);
  if (!full.startsWith(root + path.sep)) throw new AppError("BAD_REQUEST", `Invalid artifact path ${relative}`);
  return full;
}

export interface StoredFile {
  relativePath: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Streams `source` to `<folder>/<sha256><ext>` with a byte limit. Content-addressed: the
 * same bytes uploaded twice land on the same file.
 */
export async function storeStream(source: Readable, folder: string, ext: string, maxBytes: number): Promise<StoredFile> {
  const dir = resolveArtifact(folder);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.tmp-${randomBytes(8).toString("hex")}`);
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new AppError("BAD_REQUEST", `File is larger than the limit of ${maxBytes} bytes`, "file"));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(temp, { flags: "wx" }));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const sha256 = hash.digest("hex");
  const safeExt = /^\.[a-z0-9]{1,8}$/i.test(ext) ? ext.toLowerCase() : "";
  const relativePath = path.posix.join(folder, `${sha256}${safeExt}`);
  await rename(temp, resolveArtifact(relativePath));
  return { relativePath, sha256, sizeBytes: size };
}
