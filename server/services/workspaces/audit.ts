import type { DbOrTx } from "../../db";
import { db } from "../../db";

export type AuditAction =
  | "workspace.created"
  | "member.joined"
  | "member.role_changed"
  | "member.removed"
  | "member.left"
  | "invite.created"
  | "invite.revoked"
  // Work in the workspace, shown in the activity feed (server/services/collaboration/activity.ts).
  | "run.created"
  | "run.cancelled"
  | "run.resumed"
  | "run.note_edited"
  | "checkpoint.tagged"
  | "checkpoint.merged"
  | "dataset.merged"
  | "deployment.created"
  | "deployment.switched"
  | "deployment.rolled_back"
  | "deployment.stopped"
  | "deployment.restarted"
  | "deployment.went_live"
  | "comment.created"
  | "comment.deleted"
  | "glossary.updated";

/** Writes one audit row; call it inside the transaction of the change it records. */
export async function writeAudit(
  tx: DbOrTx,
  entry: { workspaceId: string; actorId: string | null; action: AuditAction; targetUserId?: string; details?: Record<string, unknown> },
): Promise<void> {
  await tx.auditLog.create({
    data: {
      workspaceId: entry.workspaceId,
      actorId: entry.actorId,
      action: entry.action,
      targetUserId: entry.targetUserId ?? null,
      details: (entry.details ?? {}) as object,
    },
  });
}

export async function listAudit({ workspaceId, limit }: { workspaceId: string; limit: number }) {
  const rows = await db.auditLog.findMany({
    where: { workspaceId },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  const userIds = [...new Set(rows.flatMap((r) => [r.actorId, r.targetUserId]).filter((x): x is string => !!x))];
  const users = await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } });
  const email = new Map(users.map((u) => [u.id, u.email]));
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    actor: r.actorId ? (email.get(r.actorId) ?? r.actorId) : null,
    target: r.targetUserId ? (email.get(r.targetUserId) ?? r.targetUserId) : null,
    details: r.details,
    createdAt: r.createdAt,
  }));
}
