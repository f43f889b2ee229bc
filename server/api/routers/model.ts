import { z } from "zod";
import type { Role } from "../../generated/prisma/enums";
import { canSeeFolderPaths } from "../../services/models/path-visibility";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { listBaseModelsWithDefault } from "../../services/models/default-offer";
import { deleteBaseModel, getBaseModel, listCheckpoints, registerBaseModel, tagCheckpoint } from "../../services/models/registry";
import { modelCard } from "../../services/experiments/model-card";

const tag = z.string().regex(/^[\w.-]{1,40}$/, "letters, digits, _ . - only");

/** Folder paths on the worker host are shown to editors and up only (viewers get null). */
const showDirs = (ctx: { workspace: { role: Role } }) => canSeeFolderPaths(ctx.workspace.role);

export const modelRouter = createTRPCRouter({
  /** Offers the platform's default base model in a workspace that has none (services/models/default-offer.ts). */
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ ctx, input }) => listBaseModelsWithDefault({ ...input, showDirs: showDirs(ctx) })),
  get: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ baseModelId: z.string().min(1) }))
    .query(({ ctx, input }) => getBaseModel({ ...input, showDirs: showDirs(ctx) })),
  register: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ name: z.string().trim().min(1, "Name the model").max(120), dir: z.string().trim().min(1, "Give a folder").max(1000) }))
    .mutation(({ ctx, input }) => registerBaseModel({ ...input, userId: ctx.userId })),
  /** Removes the registration (not the folder) and the derived files nothing else in the workspace uses. */
  delete: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ baseModelId: z.string().min(1) }))
    .mutation(({ input }) => deleteBaseModel(input)),
  checkpoints: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ experimentId: z.string().min(1).optional() }))
    .query(({ ctx, input }) => listCheckpoints({ ...input, showDirs: showDirs(ctx) })),
  tagCheckpoint: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ checkpointId: z.string().min(1), tags: z.array(tag).max(20), aliases: z.array(tag).max(20) }))
    .mutation(({ ctx, input }) => tagCheckpoint({ ...input, userId: ctx.userId })),
  card: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({ checkpointId: z.string().min(1) }))
    .query(({ input }) => modelCard(input)),
});
