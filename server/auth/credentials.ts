import { z } from "zod";
import { db } from "../db";
import { verifyPassword } from "./password";
import { assertSignInAllowed, recordSignInAttempt, signInKeys } from "./rate-limit";

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1).max(200),
});

/** Checks an email/password pair under the rate limit; returns the user or null. */
export async function authorizeCredentials(raw: unknown, clientAddress: string | null) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const keys = signInKeys(email, clientAddress);
  await assertSignInAllowed(keys);
  const user = await db.user.findUnique({ where: { email } });
  const ok = !!user?.passwordHash && (await verifyPassword(password, user.passwordHash));
  await recordSignInAttempt(keys, ok);
  if (!ok || !user) return null;
  return { id: user.id, email: user.email, name: user.name };
}
