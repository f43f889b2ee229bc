import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { listEvaluations, startEvaluation } from "../../services/experiments/evaluations";

export const evaluationRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listEvaluations(input)),
  create: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({
      name: z.string().trim().min(1).max(120),
      evalVersionId: z.string().min(1),
      subjects: z.array(z.object({ kind: z.enum(["base", "checkpoint"]), id: z.string().min(1) })).min(1).max(10),
      modes: z.array(z.enum(["dense", "sparse", "colbert", "hybrid"])).min(1).max(4).default(["dense", "sparse", "colbert", "hybrid"]),
    }))
    .mutation(({ ctx, input }) => startEvaluation({ ...input, userId: ctx.userId })),
});
