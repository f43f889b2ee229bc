import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { recordsInput, splitInput, startImportInput } from "../schemas/dataset";
import { getDataset, getVersion, listDatasets, listRecords } from "../../services/datasets/datasets";
import { filterVersion, mergeVersions, splitVersion } from "../../services/datasets/derive";
import { startImport } from "../../services/datasets/imports";
import { previewUpload } from "../../services/datasets/preview";
import { startQualityReport } from "../../services/datasets/quality";
import { enqueueJob } from "../../jobs/enqueue";

export const datasetRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listDatasets(input)),
  get: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ datasetId: z.string().min(1) }))
    .query(({ input }) => getDataset(input)),
  version: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ versionId: z.string().min(1) }))
    .query(({ input }) => getVersion(input)),
  records: workspaceProcedure("VIEWER").input(recordsInput).query(({ input }) => listRecords(input)),
  preview: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ uploadId: z.string().min(1) }))
    .query(({ input }) => previewUpload(input)),
  startImport: workspaceProcedure("EDITOR")
    .input(startImportInput)
    .mutation(({ ctx, input }) => startImport({ ...input, userId: ctx.userId })),
  computeQuality: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ versionId: z.string().min(1) }))
    .mutation(({ input }) => startQualityReport(input)),
  split: workspaceProcedure("EDITOR")
    .input(splitInput)
    .mutation(({ ctx, input }) => splitVersion({ ...input, userId: ctx.userId })),
  mineNegatives: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ versionId: z.string().min(1) }))
    .mutation(({ ctx, input }) => enqueueJob({ type: "mine_version_negatives", payload: { ...input, userId: ctx.userId }, workspaceId: input.workspaceId, priority: 4 })),
  merge: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({
      versionIds: z.array(z.string().min(1)).min(2, "Choose at least two versions").max(20),
      datasetName: z.string().trim().min(1, "Name the merged dataset").max(120),
      dedupe: z.boolean().default(true),
    }))
    .mutation(({ ctx, input }) => mergeVersions({ ...input, userId: ctx.userId })),
  filter: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ versionId: z.string().min(1), split: z.enum(["train", "validation", "test"]) }))
    .mutation(({ ctx, input }) => filterVersion({ ...input, userId: ctx.userId })),
});
