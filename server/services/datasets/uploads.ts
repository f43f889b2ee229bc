import { createReadStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { db } from "../../db";
import { env } from "../../env";
import { AppError } from "../../lib/app-error";
import { storeStream } from "../../storage/artifacts";
import { workspaceUsage } from "../../storage/workspace-usage";

const ACCEPTED = new Set([".jsonl", ".json", ".csv", ".tsv", ".txt", ".md"]);
const ARCHIVES = new Set([".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz"]);

export function maxUploadBytes(): number {
  return Number(process.env.UPLOAD_MAX_BYTES ?? 1024 * 1024 * 1024);
}

/** An upload over the per-file limit or the workspace's storage quota (HTTP 413). */
export class UploadTooLargeError extends AppError {
  constructor(message: string) {
    super("BAD_REQUEST", message, "file");
  }
}

/** Bytes the workspace holds now, uploads and its other artifacts (what WORKSPACE_STORAGE_QUOTA_BYTES limits; storage/workspace-usage.ts). */
export async function workspaceStoredBytes(workspaceId: string): Promise<number> {
  return (await workspaceUsage(workspaceId)).total;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${bytes} bytes`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function quotaMessage(usedBytes: number): string {
  return `This upload would exceed the workspace's storage quota of ${formatBytes(env.WORKSPACE_STORAGE_QUOTA_BYTES)} (${formatBytes(usedBytes)} in use). An operator can raise it (WORKSPACE_STORAGE_QUOTA_BYTES).`;
}

/**
 * Streams an upload to artifact storage (never held in memory) and records it. Archives are
 * refused by name: we never unpack user archives, which is also the answer to zip bombs.
 * The workspace's storage quota is checked against the declared length before any byte is
 * read, and enforced while streaming (no or a false Content-Length). Two concurrent uploads
 * may each fit alone and overshoot together by at most one upload.
 */
export async function createUpload({ workspaceId, userId, fileName, body, declaredBytes = null }: { workspaceId: string; userId: string; fileName: string; body: WebReadableStream<Uint8Array> | null; declaredBytes?: number | null }) {
  const cleanName = path.basename(fileName).slice(0, 200);
  const ext = path.extname(cleanName).toLowerCase();
  if (ARCHIVES.has(ext)) throw new AppError("BAD_REQUEST", `${cleanName}: archives are not accepted; upload the files inside it`, "file");
  if (!ACCEPTED.has(ext)) throw new AppError("BAD_REQUEST", `${cleanName}: unsupported file type "${ext || "(none)"}"; use .jsonl, .csv, .tsv, .txt or .md`, "file");
  if (!body) throw new AppError("BAD_REQUEST", "The upload has no body", "file");
  const usedBytes = await workspaceStoredBytes(workspaceId);
  const quotaLeft = Math.max(0, env.WORKSPACE_STORAGE_QUOTA_BYTES - usedBytes);
  // Refused up front when the declared length already says no; enforced again while streaming.
  if (declaredBytes !== null && declaredBytes > maxUploadBytes()) throw new UploadTooLargeError(`File is larger than the limit of ${maxUploadBytes()} bytes`);
  if (declaredBytes !== null && declaredBytes > quotaLeft) throw new UploadTooLargeError(quotaMessage(usedBytes));
  const quotaIsTighter = quotaLeft < maxUploadBytes();
  const stored = await storeStream(Readable.fromWeb(body), `uploads/${workspaceId}`, ext, Math.min(quotaLeft, maxUploadBytes())).catch((error: unknown) => {
    if (error instanceof AppError && /larger than the limit/.test(error.message)) {
      throw new UploadTooLargeError(quotaIsTighter ? quotaMessage(usedBytes) : error.message);
    }
    throw error;
  });
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
