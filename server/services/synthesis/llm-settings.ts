import { db } from "../../db";
import { env } from "../../env";
import { AppError } from "../../lib/app-error";
import { decryptSecret, encryptSecret } from "../../lib/crypto/secrets";
import { checkLlmBaseUrl, parseAllowedHosts } from "../../lib/synthesis/llm-address-policy";

/** The operator's M3_LLM_ALLOWED_HOSTS, parsed once: hosts whose internal addresses the LLM client may reach. */
export const llmAllowedHosts = parseAllowedHosts(env.M3_LLM_ALLOWED_HOSTS);

export const NEW_ORIGIN_NEEDS_KEY = "Enter the API key again for the new host (the stored key is only sent to the host it was saved for)";

/**
 * The key is sealed together with the origin (scheme://host:port) it was entered for, so it can only ever be sent
 * there: if the base URL later points elsewhere by any route, the call goes out without it. Keys stored before this
 * format (plain text inside the ciphertext) are bound to whatever URL the row holds.
 */
interface SealedKey {
  origin: string;
  key: string;
}

function sealKey(key: string, origin: string): string {
  return encryptSecret(JSON.stringify({ origin, key } satisfies SealedKey));
}

function openKey(ciphertext: string): { origin: string | null; key: string } {
  const plain = decryptSecret(ciphertext);
  try {
    const parsed = JSON.parse(plain) as Partial<SealedKey>;
    if (typeof parsed?.origin === "string" && typeof parsed.key === "string") return { origin: parsed.origin, key: parsed.key };
  } catch {
    // a key stored before keys were bound to an origin
  }
  return { origin: null, key: plain };
}

const originOf = (baseUrl: string): string | null => URL.canParse(baseUrl) ? new URL(baseUrl).origin : null;

/** What the browser may see: never the key itself, only whether one is stored. */
export async function getLlmSettings({ workspaceId }: { workspaceId: string }) {
  const row = await db.llmSettings.findUnique({ where: { workspaceId } });
  return row ? { baseUrl: row.baseUrl, model: row.model, hasKey: !!row.apiKeyCiphertext, updatedAt: row.updatedAt } : null;
}

/**
 * `apiKey` undefined keeps the stored key — but only while the origin stays the same: a new scheme, host or port
 * needs the key typed again (or "" to go without one), otherwise the saved key would follow the URL to any host.
 */
export async function saveLlmSettings({ workspaceId, userId, baseUrl, model, apiKey }: { workspaceId: string; userId: string; baseUrl: string; model: string; apiKey?: string }) {
  const checked = checkLlmBaseUrl(baseUrl, llmAllowedHosts);
  if (!checked.ok) throw new AppError("BAD_REQUEST", checked.message, "baseUrl");
  const url = checked.url.href;
  const origin = checked.url.origin;
  const existing = await db.llmSettings.findUnique({ where: { workspaceId } });
  if (apiKey === undefined && existing?.apiKeyCiphertext && originOf(existing.baseUrl) !== origin)
    throw new AppError("BAD_REQUEST", NEW_ORIGIN_NEEDS_KEY, "apiKey");
  const sealed = apiKey ? sealKey(apiKey, origin) : null;
  // Re-seal a kept key to this origin (same origin, or a legacy key that predates binding).
  const kept = existing?.apiKeyCiphertext ? sealKey(openKey(existing.apiKeyCiphertext).key, origin) : null;
  const apiKeyCiphertext = apiKey === undefined ? kept : sealed;
  await db.llmSettings.upsert({
    where: { workspaceId },
    create: { workspaceId, baseUrl: url, model, updatedById: userId, apiKeyCiphertext: sealed },
    update: { baseUrl: url, model, updatedById: userId, apiKeyCiphertext },
  });
  return getLlmSettings({ workspaceId });
}

/**
 * Server-side only (the synthesis job): the decrypted endpoint configuration. `apiKey` is null when none is stored
 * or when the stored key was entered for another origin than the URL now names (`keyWithheld` says so).
 */
export async function loadLlmCredentials(workspaceId: string): Promise<{ baseUrl: string; model: string; apiKey: string | null; keyWithheld: boolean } | null> {
  const row = await db.llmSettings.findUnique({ where: { workspaceId } });
  if (!row) return null;
  if (!row.apiKeyCiphertext) return { baseUrl: row.baseUrl, model: row.model, apiKey: null, keyWithheld: false };
  const { origin, key } = openKey(row.apiKeyCiphertext);
  const matches = origin === null || origin === originOf(row.baseUrl);
  return { baseUrl: row.baseUrl, model: row.model, apiKey: matches ? key : null, keyWithheld: !matches };
}
