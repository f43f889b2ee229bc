import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import {
  createDeployment, deployableModels, getDeployment, listDeployments, redeploy, resolveEvalVersion, resolveModel, rollback, switchModel, undeploy,
} from "../../services/deployments/deployments";
import { goLive } from "../../services/deployments/accuracy";
import { deployOptions, PRECISIONS } from "../../services/deployments/precision";
import { createSplit, deleteSplit, getSplit, listSplits, setSplitWeight } from "../../services/deployments/splits";
import { createApiKey, listApiKeys, revokeApiKey } from "../../services/deployments/api-keys";
import { importFeedback } from "../../services/deployments/feedback";
import { canSeeFolderPaths, withOpaqueModelDirs } from "../../services/models/path-visibility";

const modelRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("default") }),
  z.object({ kind: z.literal("base"), id: z.string().min(1) }),
  z.object({ kind: z.literal("checkpoint"), id: z.string().min(1) }),
]);
const deploymentInput = workspaceInput.extend({ deploymentId: z.string().min(1) });
const splitInput = workspaceInput.extend({ splitId: z.string().min(1) });
const weight = z.number().int().min(0, "Weight is 0–100").max(100, "Weight is 0–100");

export const deploymentRouter = createTRPCRouter({
  // Model folders are shown to editors and up; viewers get opaque tokens (server/services/models/path-visibility.ts).
  models: workspaceProcedure("VIEWER").input(workspaceInput).query(async ({ ctx, input }) => {
    const models = await deployableModels(input);
    return canSeeFolderPaths(ctx.workspace.role) ? models : models.map(withOpaqueModelDirs);
  }),
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(async ({ ctx, input }) => {
    const deployments = await listDeployments(input);
    return canSeeFolderPaths(ctx.workspace.role) ? deployments : deployments.map(withOpaqueModelDirs);
  }),
  get: workspaceProcedure("VIEWER").input(deploymentInput).query(async ({ ctx, input }) => {
    const deployment = await getDeployment(input);
    return canSeeFolderPaths(ctx.workspace.role) ? deployment : withOpaqueModelDirs(deployment);
  }),
  options: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => deployOptions(input)),
  create: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({
      name: z.string().trim().min(1, "Name the deployment").max(80), model: modelRef, acceptFeedback: z.boolean().default(false),
      precision: z.enum(PRECISIONS).default("fp32"),
      replicas: z.number().int().min(1, "At least one replica").max(8, "At most 8 replicas").default(1),
      evalVersionId: z.string().min(1).nullish(),
    }))
    .mutation(async ({ ctx, input }) => createDeployment({
      ...input, userId: ctx.userId, source: await resolveModel(input.workspaceId, input.model),
      evalVersionId: input.precision !== "fp32" ? await resolveEvalVersion(input.workspaceId, input.model, input.evalVersionId) : null,
    })),
  goLive: workspaceProcedure("EDITOR")
    .input(deploymentInput.extend({ acknowledgeDrop: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => goLive({ ...input, userId: ctx.userId })),
  undeploy: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ ctx, input }) => undeploy({ ...input, userId: ctx.userId })),
  redeploy: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ ctx, input }) => redeploy({ ...input, userId: ctx.userId })),
  rollback: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ ctx, input }) => rollback({ ...input, userId: ctx.userId })),
  switchModel: workspaceProcedure("EDITOR")
    .input(deploymentInput.extend({ model: modelRef }))
    .mutation(async ({ ctx, input }) => switchModel({ ...input, userId: ctx.userId, source: await resolveModel(input.workspaceId, input.model) })),
  importFeedback: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ ctx, input }) => importFeedback({ ...input, userId: ctx.userId })),
  apiKeys: workspaceProcedure("EDITOR").input(workspaceInput).query(({ input }) => listApiKeys(input)),
  createApiKey: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ name: z.string().trim().min(1, "Name the key").max(80), deploymentIds: z.array(z.string().min(1)).max(50).default([]) }))
    .mutation(({ ctx, input }) => createApiKey({ ...input, userId: ctx.userId })),
  revokeApiKey: workspaceProcedure("EDITOR").input(workspaceInput.extend({ keyId: z.string().min(1) })).mutation(({ input }) => revokeApiKey(input)),
  splits: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listSplits(input)),
  split: workspaceProcedure("VIEWER").input(splitInput).query(({ input }) => getSplit(input)),
  createSplit: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ name: z.string().trim().min(1, "Name the split").max(80), deploymentAId: z.string().min(1), deploymentBId: z.string().min(1), weightB: weight.default(50) }))
    .mutation(({ ctx, input }) => createSplit({ ...input, userId: ctx.userId })),
  setSplitWeight: workspaceProcedure("EDITOR").input(splitInput.extend({ weightB: weight })).mutation(({ input }) => setSplitWeight(input)),
  deleteSplit: workspaceProcedure("EDITOR").input(splitInput).mutation(({ input }) => deleteSplit(input)),
});
