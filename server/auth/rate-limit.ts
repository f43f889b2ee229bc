import { db } from "../db";
import { env } from "../env";
import { UNKNOWN_CLIENT } from "../http/client-address";
import { AppError } from "../lib/app-error";

/**
 * Sign-in lockout: at most SIGN_IN_MAX_FAILURES failed attempts per key within
 * SIGN_IN_WINDOW_SECONDS. Kept in PostgreSQL so that every web process shares it. Keys:
 *  - the account *and* the client address: guessing one account from one address is slowed
 *    down, while a stranger's failures elsewhere never lock the owner out from their own address;
 *  - the client address alone: spraying many accounts from one address is slowed down.
 * The address comes from clientAddress() (X-Forwarded-For only behind a trusted proxy). When it
 * is unknown, every caller shares it, so the address-only key is skipped — one stranger would
 * otherwise lock everybody out — and the account key degrades to the account alone.
 */
export async function assertSignInAllowed(keys: string[]): Promise<void> {
  if (await anyKeyAtLimit(keys, false, env.SIGN_IN_MAX_FAILURES, env.SIGN_IN_WINDOW_SECONDS)) {
    throw new AppError("TOO_MANY_REQUESTS", "Too many failed sign-in attempts. Try again later.");
  }
}

export async function recordSignInAttempt(keys: string[], success: boolean): Promise<void> {
  await db.signInAttempt.createMany({ data: keys.map((key) => ({ key, success })) });
}

export function signInKeys(email: string, clientAddress: string): string[] {
  const account = email.trim().toLowerCase();
  const keys = [`account:${account}|ip:${clientAddress}`];
  if (clientAddress !== UNKNOWN_CLIENT) keys.push(`ip:${clientAddress}`);
  return keys;
}

/**
 * Sign-up limit: SIGN_UP_MAX_PER_WINDOW accepted sign-ups per client address within
 * SIGN_UP_WINDOW_SECONDS. Every sign-up costs a password hash, so this is what keeps a flood
 * from occupying the hashing threads. Behind no trusted proxy all callers share one address,
 * which then limits the whole platform (raise the setting for a big team's first hour).
 */
export async function consumeSignUpAllowance(clientAddress: string): Promise<void> {
  const key = `sign-up:ip:${clientAddress}`;
  if (await anyKeyAtLimit([key], true, env.SIGN_UP_MAX_PER_WINDOW, env.SIGN_UP_WINDOW_SECONDS)) {
    throw new AppError("TOO_MANY_REQUESTS", `Too many sign-ups from your network. Try again in ${Math.ceil(env.SIGN_UP_WINDOW_SECONDS / 60)} minutes.`);
  }
  // Recorded before the work, so that concurrent requests see each other (at most a handful slip through).
  await db.signInAttempt.create({ data: { key, success: true } });
}

async function anyKeyAtLimit(keys: string[], success: boolean, limit: number, windowSeconds: number): Promise<boolean> {
  const since = new Date(Date.now() - windowSeconds * 1000);
  const counts = await db.signInAttempt.groupBy({
    by: ["key"],
    where: { key: { in: keys }, success, createdAt: { gte: since } },
    _count: { _all: true },
  });
  return counts.some((c) => c._count._all >= limit);
}
