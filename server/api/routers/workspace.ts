import { z } from "zod";
import { createTRPCRouter, protectedProcedure, workspaceInput, workspaceProcedure } from "../trpc";
import { createWorkspaceInput, workspaceName } from "../schemas/workspace";
import { createWorkspace, listWorkspacesForUser, renameWorkspace } from "../../services/workspaces/workspaces";

export const workspaceRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listWorkspacesForUser({ userId: ctx.userId })),
  create: protectedProcedure.input(createWorkspaceInput).mutation(({ ctx, input }) => createWorkspace({ userId: ctx.userId, name: input.name })),
  /** Used by workspace pages to resolve their URL; the builder refuses non-members. */
  bySlug: workspaceProcedure("VIEWER")
    .input(z.object({ workspaceSlug: z.string().min(1) }))
    .query(({ ctx }) => ctx.workspace),
  rename: workspaceProcedure("OWNER")
    .input(workspaceInput.extend({ name: workspaceName }))
    .mutation(({ input }) => renameWorkspace({ workspaceId: input.workspaceId, name: input.name })),
});
