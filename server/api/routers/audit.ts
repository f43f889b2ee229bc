import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { listAudit } from "../../services/workspaces/audit";

export const auditRouter = createTRPCRouter({
  list: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ limit: z.number().int().min(1).max(500).default(100) }))
    .query(({ input }) => listAudit(input)),
});
