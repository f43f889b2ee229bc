import { z } from "zod";
import { createTRPCRouter, protectedProcedure, workspaceInput, workspaceProcedure } from "../trpc";
import { workspaceName } from "../schemas/workspace";
import { createDemoWorkspace, registerDefaultModel } from "../../services/demo/demo-workspace";
import { workspaceChecklist } from "../../services/demo/checklist";
import { defaultModelState } from "../../services/models/default-model-build-status";
import { defaultBaseModelDir } from "../../services/models/default-model";

export const demoRouter = createTRPCRouter({
  /** A new workspace with the default model registered and (withData) the medical datasets' imports queued. */
  create: protectedProcedure
    .input(z.object({ name: workspaceName.default("Medical demo"), withData: z.boolean().default(true) }))
    .mutation(({ ctx, input }) => createDemoWorkspace({ ...input, userId: ctx.userId })),
  registerModel: workspaceProcedure("EDITOR").input(workspaceInput).mutation(({ ctx, input }) => registerDefaultModel({ ...input, userId: ctx.userId })),
  /** Whether the default base model is ready, or its first build's progress (no paths: any signed-in user). */
  modelStatus: protectedProcedure.query(() => defaultModelState(defaultBaseModelDir() !== null)),
  checklist: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => workspaceChecklist(input)),
});
