import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { commentBody, commentTarget, createComment, deleteComment, listComments, updateComment } from "../../services/collaboration/comments";

/**
 * Viewers may comment: they are the reviewers of a team's results (a domain expert judging a run), and a comment is
 * discussion — it changes no run, model, data set or deployment. A viewer edits or deletes only their own comments
 * (the service checks authorship); the run's pinned note stays an editor's (experiment.setNote).
 */
const VIEWERS_COMMENT = "viewers review results: a comment changes no run, model, data or deployment, and they edit or delete only their own";

const commentId = workspaceInput.extend({ commentId: z.string().min(1) });

export const commentRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ target: commentTarget }))
    .query(({ ctx, input }) => listComments({ ...input, userId: ctx.userId, role: ctx.workspace.role })),
  create: workspaceProcedure("VIEWER", { viewerMutationReason: VIEWERS_COMMENT })
    .input(workspaceInput.extend({ target: commentTarget, body: commentBody }))
    .mutation(({ ctx, input }) => createComment({ ...input, userId: ctx.userId })),
  update: workspaceProcedure("VIEWER", { viewerMutationReason: VIEWERS_COMMENT })
    .input(commentId.extend({ body: commentBody }))
    .mutation(({ ctx, input }) => updateComment({ ...input, userId: ctx.userId })),
  delete: workspaceProcedure("VIEWER", { viewerMutationReason: VIEWERS_COMMENT })
    .input(commentId)
    .mutation(({ ctx, input }) => deleteComment({ ...input, userId: ctx.userId, role: ctx.workspace.role })),
});
