import { createReadStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { storeStream } from "../../storage/artifacts";

const ACCEPTED = new Set([".jsonl", ".json", ".csv", ".tsv", ".txt", ".md"]);
const ARCHIVES = new Set([".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz"]);

export function maxUploadBytes(): number {
  return Number(process.env.UPLOAD_MAX_BYTES ?? 1024 * 1024 * 1024);
}

/**
 * Streams an upload to artifact storage (never held in memory) and records it. Archives are
 * refused by name: we never unpack user archives, which is also the answer to zip bombs.
 */
export async function createUpload({ workspaceId, userId, fileName, body }: { workspaceId: string; userId: string; fileName: string; body: WebReadableStream<Uint8Array> | null }) {
  const cleanName = path.basename(fileName).slice(0, 200);
  const ext = path.extname(cleanName).toLowerCase();
  if (ARCHIVES.has(ext)) throw new AppError("BAD_REQUEST", `${cleanName}: archives are not accepted; upload the files inside it`, "file");
  if (!ACCEPTED.has(ext)) throw new AppError("BAD_REQUEST", `${cleanName}: unsupported file type "${ext || "(none)"}"; use .jsonl, .csv, .tsv, .txt or .md`, "file");
  if (!body) throw new AppError("BAD_REQUEST", "The upload has no body", "file");
  const stored = await storeStream(Readable.fromWeb(body), `uploads/${workspaceId}`, ext, maxUploadBytes());
  if (stored.sizeBytes === 0) throw new AppError("BAD_REQUEST", `${cleanName}: the file is empty`, "file");
  const upload = await db.upload.create({
    data: { workspaceId, fileName: cleanName, sizeBytes: BigInt(stored.sizeBytes), sha256: stored.sha256, storagePath: stored.relativePath, createdById: userId },
  });
  return { id: upload.id, fileName: upload.fileName, sizeBytes: stored.sizeBytes, sha256: stored.sha256 };
}

export async function getUpload({ workspaceId, uploadId }: { workspaceId: string; uploadId: string }) {
  const upload = await db.upload.findFirst({ where: { id: uploadId, workspaceId } });
  if (!upload) throw new AppError("NOT_FOUND", "Upload not found", "uploadId");
  return upload;
}

/** Stores a file already on this machine (CLI imports, mined or feedback files) as an upload. */
export async function storeLocalFile({ workspaceId, userId, file, name = path.basename(file) }: { workspaceId: string; userId: string; file: string; name?: string }) {
  const stored = await storeStream(createReadStream(file), `uploads/${workspaceId}`, path.extname(name), Number.MAX_SAFE_INTEGER);
  return db.upload.create({
    data: { workspaceId, fileName: name, sizeBytes: BigInt(stored.sizeBytes), sha256: stored.sha256, storagePath: stored.relativePath, createdById: userId },
  });
}
