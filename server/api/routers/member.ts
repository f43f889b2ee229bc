import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { roleInput } from "../schemas/workspace";
import { changeMemberRole, leaveWorkspace, listMembers, removeMember } from "../../services/workspaces/members";

const memberInput = workspaceInput.extend({ userId: z.string().min(1) });

export const memberRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listMembers(input)),
  changeRole: workspaceProcedure("OWNER")
    .input(memberInput.extend({ role: roleInput }))
    .mutation(({ ctx, input }) => changeMemberRole({ ...input, actorId: ctx.userId })),
  remove: workspaceProcedure("OWNER")
    .input(memberInput)
    .mutation(({ ctx, input }) => removeMember({ ...input, actorId: ctx.userId })),
  leave: workspaceProcedure("VIEWER", { viewerMutationReason: "every member may leave a workspace" })
    .input(workspaceInput)
    .mutation(({ ctx, input }) => leaveWorkspace({ workspaceId: input.workspaceId, userId: ctx.userId })),
});
