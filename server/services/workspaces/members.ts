import type { Role } from "../../generated/prisma/enums";
import { db, type Tx } from "../../db";
import { AppError } from "../../lib/app-error";
import { endAllSessions } from "../../auth/sessions";
import { writeAudit } from "./audit";

export async function listMembers({ workspaceId }: { workspaceId: string }) {
  const rows = await db.membership.findMany({
    where: { workspaceId },
    include: { user: { select: { id: true, email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role, joinedAt: m.createdAt }));
}

async function requireMembership(tx: Tx, workspaceId: string, userId: string) {
  const membership = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } } });
  if (!membership) throw new AppError("NOT_FOUND", "That user is not a member of this workspace", "userId");
  return membership;
}

/** A workspace must keep at least one owner; this guards every path that removes one. */
async function assertNotLastOwner(tx: Tx, workspaceId: string, userId: string) {
  const owners = await tx.membership.findMany({ where: { workspaceId, role: "OWNER" }, select: { userId: true } });
  if (owners.length === 1 && owners[0]?.userId === userId) {
    throw new AppError("CONFLICT", "A workspace needs at least one owner. Make someone else owner first.");
  }
}

export async function changeMemberRole({ workspaceId, actorId, userId, role }: { workspaceId: string; actorId: string; userId: string; role: Role }) {
  return db.$transaction(async (tx) => {
    const membership = await requireMembership(tx, workspaceId, userId);
    if (membership.role === role) return membership;
    if (membership.role === "OWNER") await assertNotLastOwner(tx, workspaceId, userId);
    const updated = await tx.membership.update({ where: { id: membership.id }, data: { role } });
    await writeAudit(tx, { workspaceId, actorId, action: "member.role_changed", targetUserId: userId, details: { from: membership.role, to: role } });
    return updated;
  });
}

export async function removeMember({ workspaceId, actorId, userId }: { workspaceId: string; actorId: string; userId: string }) {
  await db.$transaction(async (tx) => {
    const membership = await requireMembership(tx, workspaceId, userId);
    if (membership.role === "OWNER") await assertNotLastOwner(tx, workspaceId, userId);
    await tx.membership.delete({ where: { id: membership.id } });
    // Access to this workspace ends with the row (membership is checked per request). A removal
    // by an owner also ends the member's open sessions, as a response to a compromised account
    // or a departing colleague should: they sign in again to reach their other workspaces.
    if (actorId !== userId) await endAllSessions(userId, tx);
    const action = actorId === userId ? "member.left" : "member.removed";
    await writeAudit(tx, { workspaceId, actorId, action, targetUserId: userId, details: { role: membership.role } });
  });
}

export function leaveWorkspace({ workspaceId, userId }: { workspaceId: string; userId: string }) {
  return removeMember({ workspaceId, actorId: userId, userId });
}
