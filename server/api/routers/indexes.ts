import { z } from "zod";
import { indexCorpusOptions } from "../../jobs/definitions/index-corpus";
import { getIndex, listIndexes, startIndexing } from "../../services/indexes/indexes";
import { indexOptions } from "../../services/indexes/options";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";

/** Indexes: encode a corpus into vector-store export files (gpu-worker/indexing), list them, read one. */
export const indexesRouter = createTRPCRouter({
  options: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => indexOptions(input)),
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listIndexes(input)),
  get: workspaceProcedure("VIEWER").input(workspaceInput.extend({ jobId: z.string().min(1) })).query(({ input }) => getIndex(input)),
  create: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ options: indexCorpusOptions }))
    .mutation(({ ctx, input }) => startIndexing({ workspaceId: input.workspaceId, userId: ctx.userId, options: input.options })),
});
