import { db } from "../../db";
import { hashPassword } from "../../auth/password";
import { AppError } from "../../lib/app-error";
import type { Locale } from "../../i18n/locales";

export async function signUp({ email, password, name }: { email: string; password: string; name?: string }) {
  const existing = await db.user.findUnique({ where: { email } });
  if (existing) throw new AppError("CONFLICT", "An account with this email already exists.", "email");
  const user = await db.user.create({ data: { email, name: name ?? null, passwordHash: await hashPassword(password) } });
  return { id: user.id, email: user.email };
}

export async function getProfile({ userId }: { userId: string }) {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, locale: true } });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  return user;
}

export async function setLocale({ userId, locale }: { userId: string; locale: Locale }) {
  await db.user.update({ where: { id: userId }, data: { locale } });
}
