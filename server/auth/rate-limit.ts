import { db } from "../db";
import { env } from "../env";
import { AppError } from "../lib/app-error";

/**
 * Sign-in rate limit: at most SIGN_IN_MAX_FAILURES failed attempts per key within
 * SIGN_IN_WINDOW_SECONDS. Keys are the lower-cased email and the client address, so both
 * guessing one account and spraying many accounts from one address are slowed down.
 * Kept in PostgreSQL so that every web process shares it.
 */
export async function assertSignInAllowed(keys: string[]): Promise<void> {
  const since = new Date(Date.now() - env.SIGN_IN_WINDOW_SECONDS * 1000);
  const failures = await db.signInAttempt.groupBy({
    by: ["key"],
    where: { key: { in: keys }, success: false, createdAt: { gte: since } },
    _count: { _all: true },
  });
  if (failures.some((f) => f._count._all >= env.SIGN_IN_MAX_FAILURES)) {
    throw new AppError("TOO_MANY_REQUESTS", "Too many failed sign-in attempts. Try again later.");
  }
}

export async function recordSignInAttempt(keys: string[], success: boolean): Promise<void> {
  await db.signInAttempt.createMany({ data: keys.map((key) => ({ key, success })) });
}

export function signInKeys(email: string, clientAddress: string | null): string[] {
  const keys = [`email:${email.trim().toLowerCase()}`];
  if (clientAddress) keys.push(`ip:${clientAddress}`);
  return keys;
}
