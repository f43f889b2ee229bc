import { db } from "../../db";
import type { AuditAction } from "../workspaces/audit";

/**
 * The workspace activity feed: who launched, cancelled, resumed, tagged, merged or deployed what, and who commented.
 * It is read from the audit log (actor, action, time, and the target in `details`, written with the change in
 * one transaction), filtered to work actions: membership and invite events stay in the editors-only audit log.
 * Paged newest first by keyset (createdAt, id), so a page costs the same at any depth.
 */
export const FEED_ACTIONS = [
  "run.created", "run.cancelled", "run.resumed", "run.note_edited",
  "checkpoint.tagged", "checkpoint.merged", "dataset.merged",
  "deployment.created", "deployment.switched", "deployment.rolled_back", "deployment.stopped", "deployment.restarted", "deployment.went_live",
  "comment.created", "glossary.updated",
] as const satisfies readonly AuditAction[];

export type ActivityTarget =
  | { type: "run"; id: string; label: string }
  | { type: "deployment"; id: string; label: string }
  | { type: "dataset"; id: string; label: string }
  | { type: "comparison"; subjects: string[]; evalVersionId: string | null }
  | { type: "glossary" };

const str = (v: unknown) => (typeof v === "string" ? v : null);

/** The thing an entry links to, from what the writer put in `details`; null if the details lack it. */
export function activityTarget(action: string, details: Record<string, unknown>): ActivityTarget | null {
  const [kind] = action.split(".");
  if (kind === "run" || kind === "checkpoint" || (kind === "comment" && details.targetKind === "run")) {
    const id = str(details.experimentId);
    if (!id) return null;
    const step = typeof details.step === "number" ? ` · step ${details.step}` : "";
    return { type: "run", id, label: `${str(details.name) ?? id}${step}` };
  }
  if (kind === "deployment") {
    const id = str(details.deploymentId);
    return id ? { type: "deployment", id, label: str(details.name) ?? id } : null;
  }
  if (kind === "dataset") {
    const id = str(details.datasetId);
    return id ? { type: "dataset", id, label: str(details.name) ?? id } : null;
  }
  if (kind === "comment" && details.targetKind === "comparison" && Array.isArray(details.subjects)) {
    return { type: "comparison", subjects: details.subjects.filter((s): s is string => typeof s === "string"), evalVersionId: str(details.evalVersionId) };
  }
  if (kind === "glossary") return { type: "glossary" };
  return null;
}

/** A short extra for the entry (new tags, the model now served); plain text. */
function activityNote(action: string, details: Record<string, unknown>): string | null {
  if (action === "checkpoint.tagged") {
    const tags = Array.isArray(details.tags) ? details.tags : [];
    const aliases = Array.isArray(details.aliases) ? details.aliases.map((a) => `@${a}`) : [];
    return [...tags, ...aliases].join(" ") || null;
  }
  if (action.startsWith("deployment.")) return str(details.model);
  if (action === "glossary.updated" && typeof details.count === "number") return String(details.count);
  return null;
}

export async function listActivity({ workspaceId, cursor, limit }: { workspaceId: string; cursor?: string | null; limit: number }) {
  const after = cursor ? await db.auditLog.findFirst({ where: { id: cursor, workspaceId }, select: { id: true, createdAt: true } }) : null;
  const rows = await db.auditLog.findMany({
    where: {
      workspaceId,
      action: { in: [...FEED_ACTIONS] },
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const actors = await db.user.findMany({ where: { id: { in: [...new Set(page.map((r) => r.actorId).filter((x): x is string => !!x))] } }, select: { id: true, name: true, email: true } });
  const byId = new Map(actors.map((a) => [a.id, a]));
  return {
    items: page.map((r) => {
      const details = (r.details ?? {}) as Record<string, unknown>;
      const actor = r.actorId ? byId.get(r.actorId) : undefined;
      return {
        id: r.id, action: r.action, createdAt: r.createdAt,
        actor: r.actorId ? { id: r.actorId, name: actor?.name ?? null, email: actor?.email ?? null } : null,
        target: activityTarget(r.action, details),
        note: activityNote(r.action, details),
      };
    }),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
