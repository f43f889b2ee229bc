import { randomBytes } from "node:crypto";
import { db, type Tx } from "../db";

/**
 * Revocable sessions. The session cookie is a signed JWT that stays valid for 30 days on its
 * own, so it also names a UserSession row (`sid`), checked on every request by the jwt
 * callback in config.ts: deleting the row ends the session at once, wherever the cookie is.
 * The lifetime is absolute from sign-in (the cookie's rolling refresh does not extend the row).
 */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;

export async function startSession(userId: string): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  const now = new Date();
  await db.$transaction([
    // Housekeeping while we are here: this user's expired rows.
    db.userSession.deleteMany({ where: { userId, expiresAt: { lt: now } } }),
    db.userSession.create({ data: { id, userId, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000) } }),
  ]);
  return id;
}

export async function isSessionLive(sessionId: string, userId: string): Promise<boolean> {
  const session = await db.userSession.findUnique({ where: { id: sessionId }, select: { userId: true, expiresAt: true } });
  return !!session && session.userId === userId && session.expiresAt > new Date();
}

export async function endSession(sessionId: string): Promise<void> {
  await db.userSession.deleteMany({ where: { id: sessionId } });
}

/** Ends every session of a user (removed from a workspace by an owner). */
export async function endAllSessions(userId: string, tx: Tx = db): Promise<void> {
  await tx.userSession.deleteMany({ where: { userId } });
}
