import { createHash, randomBytes } from "node:crypto";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";

/** How keys are stored and looked up (also the proxy's cache key: a key is never kept in clear). */
export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** A new key, returned once in clear; only its SHA-256 and a short prefix are stored. */
export async function createApiKey({ workspaceId, userId, name, deploymentIds }: { workspaceId: string; userId: string; name: string; deploymentIds: string[] }) {
  if (deploymentIds.length) {
    const count = await db.deployment.count({ where: { id: { in: deploymentIds }, workspaceId } });
    if (count !== deploymentIds.length) throw new AppError("BAD_REQUEST", "A deployment of this key is not in the workspace", "deploymentIds");
  }
  const key = `m3_${randomBytes(24).toString("base64url")}`;
  const row = await db.apiKey.create({ data: { workspaceId, name, prefix: key.slice(0, 10), keyHash: hashKey(key), deploymentIds, createdById: userId } });
  return { id: row.id, name: row.name, prefix: row.prefix, key };
}

export async function listApiKeys({ workspaceId }: { workspaceId: string }) {
  return db.apiKey.findMany({
    where: { workspaceId },
    select: { id: true, name: true, prefix: true, deploymentIds: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    orderBy: { createdAt: "desc" },
  });
}

export async function revokeApiKey({ workspaceId, keyId }: { workspaceId: string; keyId: string }) {
  const { count } = await db.apiKey.updateMany({ where: { id: keyId, workspaceId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count === 0) throw new AppError("NOT_FOUND", "API key not found or already revoked", "keyId");
}

/**
 * The serving process's check for `Authorization: Bearer KEY`: a live key of the deployment's
 * workspace, scoped to this deployment (or to all, when its list is empty). Revocation takes
 * effect on the next request: keys are looked up every time (one indexed query).
 */
export async function authenticateApiKey(deployment: { id: string; workspaceId: string }, token: string): Promise<{ keyId: string } | null> {
  const row = await db.apiKey.findUnique({ where: { keyHash: hashKey(token) } });
  if (!row || row.revokedAt || row.workspaceId !== deployment.workspaceId) return null;
  if (row.deploymentIds.length && !row.deploymentIds.includes(deployment.id)) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { keyId: row.id };
}
