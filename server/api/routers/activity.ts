import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { listActivity } from "../../services/collaboration/activity";

export const activityRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ cursor: z.string().min(1).nullish(), limit: z.number().int().min(1).max(100).default(30) }))
    .query(({ input }) => listActivity(input)),
});
