import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Encryption of secrets at rest (LLM API keys): AES-256-GCM with a key derived from
 * M3_ENCRYPTION_KEY (or AUTH_SECRET when unset). Format: `v1.<iv>.<tag>.<ciphertext>`,
 * base64url parts. The tag makes tampering or a wrong key fail loudly instead of decrypting
 * to garbage.
 */
function key(secret: string): Buffer {
  return createHash("sha256").update(`m3studio-secrets:${secret}`).digest();
}

function secretFromEnv(): string {
  const secret = process.env.M3_ENCRYPTION_KEY ?? process.env.AUTH_SECRET;
  if (!secret) throw new Error("M3_ENCRYPTION_KEY or AUTH_SECRET must be set to store secrets");
  return secret;
}

export function encryptSecret(plain: string, secret = secretFromEnv()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(secret), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, secret = secretFromEnv()): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Unrecognised secret format");
  const decipher = createDecipheriv("aes-256-gcm", key(secret), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}
