import { z } from "zod";
import { createTRPCRouter, protectedProcedure, workspaceInput, workspaceProcedure } from "../trpc";
import { roleInput } from "../schemas/workspace";
import { acceptInvite, createInvite, listInvites, previewInvite, revokeInvite } from "../../services/workspaces/invites";

const tokenInput = z.object({ token: z.string().min(10, "Invite token is malformed").max(200) });

export const inviteRouter = createTRPCRouter({
  create: workspaceProcedure("OWNER")
    .input(workspaceInput.extend({ role: roleInput }))
    .mutation(({ ctx, input }) => createInvite({ ...input, actorId: ctx.userId })),
  list: workspaceProcedure("OWNER").input(workspaceInput).query(({ input }) => listInvites(input)),
  revoke: workspaceProcedure("OWNER")
    .input(workspaceInput.extend({ inviteId: z.string().min(1) }))
    .mutation(({ ctx, input }) => revokeInvite({ ...input, actorId: ctx.userId })),
  // Invite links are for people outside the workspace: any signed-in user with the token.
  preview: protectedProcedure.input(tokenInput).query(({ input }) => previewInvite(input)),
  accept: protectedProcedure.input(tokenInput).mutation(({ ctx, input }) => acceptInvite({ token: input.token, userId: ctx.userId })),
});
