import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { getBaseModel, listBaseModels, listCheckpoints, registerBaseModel, tagCheckpoint } from "../../services/models/registry";
import { modelCard } from "../../services/experiments/model-card";

const tag = z.string().regex(/^[\w.-]{1,40}$/, "letters, digits, _ . - only");

export const modelRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listBaseModels(input)),
  get: workspaceProcedure("VIEWER").input(workspaceInput.extend({ baseModelId: z.string().min(1) })).query(({ input }) => getBaseModel(input)),
  register: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ name: z.string().trim().min(1, "Name the model").max(120), dir: z.string().trim().min(1, "Give a folder").max(1000) }))
    .mutation(({ ctx, input }) => registerBaseModel({ ...input, userId: ctx.userId })),
  checkpoints: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ experimentId: z.string().min(1).optional() }))
    .query(({ input }) => listCheckpoints(input)),
  tagCheckpoint: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ checkpointId: z.string().min(1), tags: z.array(tag).max(20), aliases: z.array(tag).max(20) }))
    .mutation(({ ctx, input }) => tagCheckpoint({ ...input, userId: ctx.userId })),
  card: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ checkpointId: z.string().min(1) }))
    .query(({ input }) => modelCard(input)),
});
