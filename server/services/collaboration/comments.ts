import { z } from "zod";
import type { Role } from "../../generated/prisma/enums";
import { db, type DbOrTx } from "../../db";
import { AppError } from "../../lib/app-error";
import { writeAudit } from "../workspaces/audit";
import { comparisonRef, ensureComparison, findComparison } from "./comparisons";

/**
 * Comments on a run or on a comparison, visible to every member of the workspace. The body is plain text kept
 * exactly as written (markup included) and shown as text; only a blank body or one over the limit is refused.
 * The author edits; the author or an owner deletes.
 */
export const COMMENT_MAX_CHARS = 4000;
export const commentBody = z
  .string()
  .max(COMMENT_MAX_CHARS, `At most ${COMMENT_MAX_CHARS} characters`)
  .refine((s) => s.trim() !== "", "Write something first");

function checkBody(body: string): string {
  const parsed = commentBody.safeParse(body);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0]!.message, "body");
  return parsed.data;
}

export const commentTarget = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("run"), experimentId: z.string().min(1) }),
  comparisonRef.extend({ kind: z.literal("comparison") }),
]);
export type CommentTarget = z.infer<typeof commentTarget>;

async function runOrThrow(tx: DbOrTx, workspaceId: string, experimentId: string) {
  const run = await tx.experiment.findFirst({ where: { id: experimentId, workspaceId }, select: { id: true, name: true } });
  if (!run) throw new AppError("NOT_FOUND", "Run not found.", "experimentId");
  return run;
}

export async function listComments({ workspaceId, userId, role, target }: { workspaceId: string; userId: string; role: Role; target: CommentTarget }) {
  let targetId: string | null;
  if (target.kind === "run") targetId = (await runOrThrow(db, workspaceId, target.experimentId)).id;
  else targetId = (await findComparison(workspaceId, target))?.id ?? null;
  if (!targetId) return [];
  const rows = await db.comment.findMany({ where: { workspaceId, targetKind: target.kind, targetId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: 500 });
  const authors = await db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.authorId))] } }, select: { id: true, name: true, email: true } });
  const byId = new Map(authors.map((a) => [a.id, a]));
  return rows.map((r) => ({
    id: r.id, body: r.body, createdAt: r.createdAt, editedAt: r.editedAt,
    author: { id: r.authorId, name: byId.get(r.authorId)?.name ?? null, email: byId.get(r.authorId)?.email ?? null },
    canEdit: r.authorId === userId,
    canDelete: r.authorId === userId || role === "OWNER",
  }));
}

export async function createComment({ workspaceId, userId, target, body }: { workspaceId: string; userId: string; target: CommentTarget; body: string }) {
  const text = checkBody(body);
  return db.$transaction(async (tx) => {
    let targetId: string;
    let details: Record<string, unknown>;
    if (target.kind === "run") {
      const run = await runOrThrow(tx, workspaceId, target.experimentId);
      targetId = run.id;
      details = { experimentId: run.id, name: run.name };
    } else {
      const comparison = await ensureComparison(tx, workspaceId, userId, target);
      targetId = comparison.id;
      details = { comparisonId: comparison.id, subjects: comparison.subjects, evalVersionId: comparison.evalVersionId };
    }
    const comment = await tx.comment.create({ data: { workspaceId, targetKind: target.kind, targetId, authorId: userId, body: text } });
    await writeAudit(tx, { workspaceId, actorId: userId, action: "comment.created", details: { commentId: comment.id, targetKind: target.kind, ...details } });
    return comment;
  });
}

async function commentOrThrow(workspaceId: string, commentId: string) {
  const comment = await db.comment.findFirst({ where: { id: commentId, workspaceId } });
  if (!comment) throw new AppError("NOT_FOUND", "Comment not found.", "commentId");
  return comment;
}

export async function updateComment({ workspaceId, userId, commentId, body }: { workspaceId: string; userId: string; commentId: string; body: string }) {
  const text = checkBody(body);
  const comment = await commentOrThrow(workspaceId, commentId);
  // Nobody edits another person's words, owners included (they may delete instead).
  if (comment.authorId !== userId) throw new AppError("FORBIDDEN", "Only the author can edit a comment.", "commentId");
  return db.comment.update({ where: { id: comment.id }, data: { body: text, editedAt: new Date() } });
}

export async function deleteComment({ workspaceId, userId, role, commentId }: { workspaceId: string; userId: string; role: Role; commentId: string }) {
  const comment = await commentOrThrow(workspaceId, commentId);
  if (comment.authorId !== userId && role !== "OWNER") throw new AppError("FORBIDDEN", "Only the author or an owner can delete a comment.", "commentId");
  await db.$transaction(async (tx) => {
    await tx.comment.delete({ where: { id: comment.id } });
    await writeAudit(tx, { workspaceId, actorId: userId, action: "comment.deleted", targetUserId: comment.authorId, details: { commentId: comment.id, targetKind: comment.targetKind, targetId: comment.targetId } });
  });
  return { deleted: comment.id };
}

/** The run's pinned note (its editable description); blank clears it. */
export const RUN_NOTE_MAX_CHARS = 4000;
export async function setRunNote({ workspaceId, userId, experimentId, note }: { workspaceId: string; userId: string; experimentId: string; note: string }) {
  if (note.length > RUN_NOTE_MAX_CHARS) throw new AppError("BAD_REQUEST", `At most ${RUN_NOTE_MAX_CHARS} characters`, "note");
  return db.$transaction(async (tx) => {
    const run = await runOrThrow(tx, workspaceId, experimentId);
    const updated = await tx.experiment.update({ where: { id: run.id }, data: { notes: note.trim() === "" ? null : note }, select: { id: true, notes: true } });
    await writeAudit(tx, { workspaceId, actorId: userId, action: "run.note_edited", details: { experimentId: run.id, name: run.name } });
    return updated;
  });
}
