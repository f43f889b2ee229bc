import { db } from "../../db";
import { hashPassword } from "../../auth/password";
import { consumeSignUpAllowance } from "../../auth/rate-limit";
import { AppError } from "../../lib/app-error";
import type { Locale } from "../../i18n/locales";

/** What every sign-up answers, new email or not: the answer must not tell which emails have accounts. */
export const SIGN_UP_ANSWER = { ok: true as const };

/**
 * Creates an account under the per-address sign-up limit. An email that already has an account
 * gets the same answer after the same work (one password hash) and the account is left as it
 * is; its owner signs in with their own password. The form then signs in with what was typed,
 * which succeeds only for the person who owns the account.
 */
export async function signUp({ email, password, name, clientAddress }: { email: string; password: string; name?: string; clientAddress: string }) {
  await consumeSignUpAllowance(clientAddress);
  const passwordHash = await hashPassword(password);
  // createMany + skipDuplicates: one statement whether or not the email exists (and no race
  // between a look-up and the insert), and no unique-violation error to tell the cases apart.
  await db.user.createMany({ data: [{ email, name: name ?? null, passwordHash }], skipDuplicates: true });
  return SIGN_UP_ANSWER;
}

export async function getProfile({ userId }: { userId: string }) {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, locale: true } });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  return user;
}

export async function setLocale({ userId, locale }: { userId: string; locale: Locale }) {
  await db.user.update({ where: { id: userId }, data: { locale } });
}
