import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { cancelRun, cloneRun, createRun, createSweep, getRun, listRuns, metricSeries, resumeRun } from "../../services/experiments/runs";
import { estimateForRun } from "../../services/experiments/estimate";
import { compareRuns, compareInput, perQueryInput, perQueryView } from "../../services/experiments/compare";
import { generalEvalVersionField, mergeWeightSchema, presetNames, trainConfigOverrides } from "../../services/experiments/schema";
import { sweepGridSchema } from "../../services/experiments/sweep";
import { mergeWithBase } from "../../services/experiments/merges";
import { RUN_NOTE_MAX_CHARS, setRunNote } from "../../services/collaboration/comments";
import { canSeeFolderPaths, withoutDirs } from "../../services/models/path-visibility";

const runId = workspaceInput.extend({ experimentId: z.string().min(1) });
const configOverrides = trainConfigOverrides;
const newRunInput = workspaceInput.extend({
  name: z.string().trim().min(1, "Name the run").max(120),
  baseModelId: z.string().min(1, "Pick a base model"),
  trainVersionId: z.string().min(1, "Pick a training version"),
  evalVersionId: z.string().min(1).nullable().optional(),
  generalEvalVersionId: generalEvalVersionField,
  preset: z.enum(presetNames),
  config: configOverrides.default({}),
  bestMetric: z.string().regex(/^(dense|sparse|colbert|hybrid):[\w@]+$/).default("dense:ndcg@10"),
});

export const experimentRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER").input(workspaceInput.extend({ groupId: z.string().optional() })).query(({ input }) => listRuns(input)),
  get: workspaceProcedure("VIEWER").input(runId).query(async ({ ctx, input }) => {
    const view = await getRun(input);
    // Folder paths are for editors and up (server/services/models/path-visibility.ts).
    if (canSeeFolderPaths(ctx.workspace.role)) return view;
    return { ...view, run: { ...view.run, outputDir: null }, checkpoints: withoutDirs(view.checkpoints), merges: { ...view.merges, merged: withoutDirs(view.merges.merged) } };
  }),
  metrics: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ experimentIds: z.array(z.string().min(1)).min(1).max(50), maxPoints: z.number().int().min(10).max(5000).default(400) }))
    .query(({ input }) => metricSeries(input)),
  estimate: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ baseModelId: z.string().min(1), trainVersionId: z.string().min(1).optional(), preset: z.enum(presetNames), config: configOverrides.default({}), gpuMemoryGb: z.number().positive().max(1024).optional() }))
    .query(({ input }) => estimateForRun(input)),
  create: workspaceProcedure("EDITOR").input(newRunInput).mutation(({ ctx, input }) => createRun({ ...input, userId: ctx.userId })),
  sweep: workspaceProcedure("EDITOR")
    .input(newRunInput.extend({ grid: sweepGridSchema }))
    .mutation(({ ctx, input }) => createSweep({ ...input, userId: ctx.userId })),
  clone: workspaceProcedure("EDITOR")
    .input(runId.extend({ name: z.string().trim().min(1).max(120).optional(), config: configOverrides.default({}) }))
    .mutation(({ ctx, input }) => cloneRun({ ...input, userId: ctx.userId })),
  cancel: workspaceProcedure("EDITOR").input(runId).mutation(({ ctx, input }) => cancelRun({ ...input, userId: ctx.userId })),
  resume: workspaceProcedure("EDITOR").input(runId).mutation(({ ctx, input }) => resumeRun({ ...input, userId: ctx.userId })),
  setNote: workspaceProcedure("EDITOR")
    .input(runId.extend({ note: z.string().max(RUN_NOTE_MAX_CHARS) }))
    .mutation(({ ctx, input }) => setRunNote({ ...input, userId: ctx.userId })),
  compare: workspaceProcedure("VIEWER").input(compareInput).query(({ input }) => compareRuns(input)),
  perQuery: workspaceProcedure("VIEWER").input(perQueryInput).query(({ input }) => perQueryView(input)),
  /** Merge a checkpoint with the run's base model at weight W (a new checkpoint, then evaluated). */
  merge: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ checkpointId: z.string().min(1), weight: mergeWeightSchema }))
    .mutation(({ ctx, input }) => mergeWithBase({ ...input, userId: ctx.userId })),
});
