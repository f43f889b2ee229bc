import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { domainTermRecall, listGlossary, setGlossary } from "../../services/collaboration/glossary";
import { subjectKey } from "../../services/collaboration/comparisons";

export const glossaryRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listGlossary(input)),
  set: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ terms: z.array(z.string().max(1000)).max(10_000) }))
    .mutation(({ ctx, input }) => setGlossary({ ...input, userId: ctx.userId })),
  recall: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({
      subjects: z.array(subjectKey).min(1).max(12),
      evalVersionId: z.string().min(1),
      mode: z.enum(["dense", "sparse", "colbert", "hybrid", "rrf"]).default("dense"),
      topTerms: z.number().int().min(1).max(100).default(15),
    }))
    .query(({ input }) => domainTermRecall(input)),
});
