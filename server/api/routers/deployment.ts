import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import {
  createDeployment, deployableModels, getDeployment, listDeployments, redeploy, resolveModel, rollback, switchModel, undeploy,
} from "../../services/deployments/deployments";
import { createApiKey, listApiKeys, revokeApiKey } from "../../services/deployments/api-keys";
import { importFeedback } from "../../services/deployments/feedback";

const modelRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("default") }),
  z.object({ kind: z.literal("base"), id: z.string().min(1) }),
  z.object({ kind: z.literal("checkpoint"), id: z.string().min(1) }),
]);
const deploymentInput = workspaceInput.extend({ deploymentId: z.string().min(1) });

export const deploymentRouter = createTRPCRouter({
  models: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => deployableModels(input)),
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listDeployments(input)),
  get: workspaceProcedure("VIEWER").input(deploymentInput).query(({ input }) => getDeployment(input)),
  create: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ name: z.string().trim().min(1, "Name the deployment").max(80), model: modelRef, acceptFeedback: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => createDeployment({ ...input, userId: ctx.userId, source: await resolveModel(input.workspaceId, input.model) })),
  undeploy: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ input }) => undeploy(input)),
  redeploy: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ input }) => redeploy(input)),
  rollback: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ input }) => rollback(input)),
  switchModel: workspaceProcedure("EDITOR")
    .input(deploymentInput.extend({ model: modelRef }))
    .mutation(async ({ input }) => switchModel({ ...input, source: await resolveModel(input.workspaceId, input.model) })),
  importFeedback: workspaceProcedure("EDITOR").input(deploymentInput).mutation(({ ctx, input }) => importFeedback({ ...input, userId: ctx.userId })),
  apiKeys: workspaceProcedure("EDITOR").input(workspaceInput).query(({ input }) => listApiKeys(input)),
  createApiKey: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ name: z.string().trim().min(1, "Name the key").max(80), deploymentIds: z.array(z.string().min(1)).max(50).default([]) }))
    .mutation(({ ctx, input }) => createApiKey({ ...input, userId: ctx.userId })),
  revokeApiKey: workspaceProcedure("EDITOR").input(workspaceInput.extend({ keyId: z.string().min(1) })).mutation(({ input }) => revokeApiKey(input)),
});
