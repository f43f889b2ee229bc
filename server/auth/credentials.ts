import { z } from "zod";
import { db } from "../db";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "./password";
import { assertSignInAllowed, recordSignInAttempt, signInKeys } from "./rate-limit";

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1).max(200),
});

/**
 * Checks an email/password pair under the rate limit; returns the user or null. An unknown
 * email (or an account without a password) costs the same hash as a known one, so the answer's
 * timing does not tell which emails have accounts.
 */
export async function authorizeCredentials(raw: unknown, clientAddress: string) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const keys = signInKeys(email, clientAddress);
  await assertSignInAllowed(keys);
  const user = await db.user.findUnique({ where: { email } });
  const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
  await recordSignInAttempt(keys, ok);
  if (!ok || !user?.passwordHash) return null;
  if (needsRehash(user.passwordHash)) await upgradeHash(user.id, user.passwordHash, password);
  return { id: user.id, email: user.email, name: user.name };
}

/** Replaces a legacy (bcrypt) or weaker hash once the password is known to be right. */
async function upgradeHash(userId: string, oldHash: string, password: string) {
  const newHash = await hashPassword(password);
  // Only if unchanged meanwhile: a concurrent password change must win over this rewrite.
  await db.user.updateMany({ where: { id: userId, passwordHash: oldHash }, data: { passwordHash: newHash } });
}
