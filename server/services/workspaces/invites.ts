import { createHash, randomBytes } from "node:crypto";
import type { Role } from "../../generated/prisma/enums";
import { db } from "../../db";
import { env } from "../../env";
import { AppError } from "../../lib/app-error";
import { writeAudit } from "./audit";

/** Only the hash is stored: a database leak does not leak usable invite links. */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createInvite({ workspaceId, actorId, role }: { workspaceId: string; actorId: string; role: Role }) {
  const token = randomBytes(24).toString("base64url");
  const expiresAt = new Date(Date.now() + env.INVITE_TTL_HOURS * 3600 * 1000);
  const invite = await db.$transaction(async (tx) => {
    const created = await tx.invite.create({
      data: { workspaceId, role, createdById: actorId, tokenHash: hashToken(token), expiresAt },
    });
    await writeAudit(tx, { workspaceId, actorId, action: "invite.created", details: { role, inviteId: created.id } });
    return created;
  });
  // The token is returned once, here; it cannot be read back later.
  return { id: invite.id, token, role, expiresAt };
}

export async function listInvites({ workspaceId }: { workspaceId: string }) {
  return db.invite.findMany({
    where: { workspaceId, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, role: true, expiresAt: true, createdAt: true },
    orderBy: { createdAt: "desc" },
  });
}

export async function revokeInvite({ workspaceId, actorId, inviteId }: { workspaceId: string; actorId: string; inviteId: string }) {
  await db.$transaction(async (tx) => {
    const { count } = await tx.invite.updateMany({ where: { id: inviteId, workspaceId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) throw new AppError("NOT_FOUND", "Invite not found", "inviteId");
    await writeAudit(tx, { workspaceId, actorId, action: "invite.revoked", details: { inviteId } });
  });
}

/** What a signed-in user sees before accepting: workspace name and role, or why it is invalid. */
export async function previewInvite({ token }: { token: string }) {
  const invite = await db.invite.findUnique({ where: { tokenHash: hashToken(token) }, include: { workspace: true } });
  assertUsable(invite);
  return { workspaceName: invite.workspace.name, role: invite.role, expiresAt: invite.expiresAt };
}

function assertUsable<T extends { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date }>(invite: T | null): asserts invite is T {
  if (!invite) throw new AppError("NOT_FOUND", "This invite link is not valid.", "token");
  if (invite.usedAt) throw new AppError("CONFLICT", "This invite link has already been used.", "token");
  if (invite.revokedAt) throw new AppError("CONFLICT", "This invite link was revoked.", "token");
  if (invite.expiresAt <= new Date()) throw new AppError("BAD_REQUEST", "This invite link has expired. Ask for a new one.", "token");
}

export async function acceptInvite({ token, userId }: { token: string; userId: string }) {
  return db.$transaction(async (tx) => {
    const invite = await tx.invite.findUnique({ where: { tokenHash: hashToken(token) }, include: { workspace: true } });
    assertUsable(invite);
    // Mark used with a guard so two concurrent accepts cannot both succeed.
    const { count } = await tx.invite.updateMany({
      where: { id: invite.id, usedAt: null },
      data: { usedAt: new Date(), usedById: userId },
    });
    if (count === 0) throw new AppError("CONFLICT", "This invite link has already been used.", "token");
    const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: invite.workspaceId, userId } } });
    if (existing) throw new AppError("CONFLICT", "You are already a member of this workspace.", "token");
    await tx.membership.create({ data: { workspaceId: invite.workspaceId, userId, role: invite.role } });
    await writeAudit(tx, { workspaceId: invite.workspaceId, actorId: userId, action: "member.joined", targetUserId: userId, details: { role: invite.role, inviteId: invite.id } });
    return { slug: invite.workspace.slug, role: invite.role };
  });
}
