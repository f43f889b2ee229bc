import { db } from "../../db";
import { decryptSecret, encryptSecret } from "../../lib/crypto/secrets";

/** What the browser may see: never the key itself, only whether one is stored. */
export async function getLlmSettings({ workspaceId }: { workspaceId: string }) {
  const row = await db.llmSettings.findUnique({ where: { workspaceId } });
  return row ? { baseUrl: row.baseUrl, model: row.model, hasKey: !!row.apiKeyCiphertext, updatedAt: row.updatedAt } : null;
}

/** `apiKey` undefined keeps the stored key; an empty string removes it. */
export async function saveLlmSettings({ workspaceId, userId, baseUrl, model, apiKey }: { workspaceId: string; userId: string; baseUrl: string; model: string; apiKey?: string }) {
  const keyUpdate = apiKey === undefined ? {} : { apiKeyCiphertext: apiKey === "" ? null : encryptSecret(apiKey) };
  await db.llmSettings.upsert({
    where: { workspaceId },
    create: { workspaceId, baseUrl, model, updatedById: userId, apiKeyCiphertext: apiKey ? encryptSecret(apiKey) : null },
    update: { baseUrl, model, updatedById: userId, ...keyUpdate },
  });
  return getLlmSettings({ workspaceId });
}

/** Server-side only (the synthesis job): the decrypted endpoint configuration. */
export async function loadLlmCredentials(workspaceId: string): Promise<{ baseUrl: string; model: string; apiKey: string | null } | null> {
  const row = await db.llmSettings.findUnique({ where: { workspaceId } });
  if (!row) return null;
  return { baseUrl: row.baseUrl, model: row.model, apiKey: row.apiKeyCiphertext ? decryptSecret(row.apiKeyCiphertext) : null };
}
