import { z } from "zod";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { getLlmSettings, saveLlmSettings } from "../../services/synthesis/llm-settings";
import { createSynthesisRun, getSynthesisRun, listSynthesisRuns, synthesisConfig, updateGuide } from "../../services/synthesis/runs";
import { listCandidates, reviewQueue } from "../../services/synthesis/candidates";
import { judgeCandidate, undoJudgement } from "../../services/synthesis/judgements";
import { runAgreement } from "../../services/synthesis/agreement";
import { exportSynthesisRun } from "../../services/synthesis/export";
import { listTemplates, saveTemplate } from "../../services/synthesis/templates";

const runInput = workspaceInput.extend({ runId: z.string().min(1) });
const candidateInput = workspaceInput.extend({ candidateId: z.string().min(1) });

export const synthesisRouter = createTRPCRouter({
  llmSettings: workspaceProcedure("EDITOR").input(workspaceInput).query(({ input }) => getLlmSettings(input)),
  saveLlmSettings: workspaceProcedure("OWNER")
    .input(workspaceInput.extend({
      // http(s) only and no internal address literal: checked by saveLlmSettings (field baseUrl), again at call time.
      baseUrl: z.string().trim().max(2000).url("Enter the API's base URL, e.g. https://api.openai.com/v1"),
      model: z.string().trim().min(1, "Name the model").max(200),
      apiKey: z.string().max(500).optional(),
    }))
    .mutation(({ ctx, input }) => saveLlmSettings({ ...input, userId: ctx.userId })),
  templates: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listTemplates(input)),
  saveTemplate: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({
      domain: z.enum(["medical", "legal", "finance", "custom"]), language: z.enum(["zh", "en"]),
      system: z.string().trim().min(1, "The system prompt is empty").max(4000),
      user: z.string().trim().min(1, "The user prompt is empty").max(8000),
    }))
    .mutation(({ input }) => saveTemplate(input)),
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listSynthesisRuns(input)),
  get: workspaceProcedure("VIEWER").input(runInput).query(({ input }) => getSynthesisRun(input)),
  create: workspaceProcedure("EDITOR")
    .input(workspaceInput.extend({ name: z.string().trim().min(1, "Name the run").max(120), sourceVersionId: z.string().min(1, "Choose a documents version"), config: synthesisConfig }))
    .mutation(({ ctx, input }) => createSynthesisRun({ ...input, userId: ctx.userId })),
  updateGuide: workspaceProcedure("EDITOR").input(runInput.extend({ guide: z.string().max(20_000) })).mutation(({ input }) => updateGuide(input)),
  candidates: workspaceProcedure("VIEWER")
    .input(runInput.extend({
      status: z.enum(["PENDING", "ACCEPTED", "REJECTED"]).optional(),
      maxRoundTripRank: z.number().int().min(1).optional(),
      minRoundTripRank: z.number().int().min(1).optional(),
      minLength: z.number().int().min(0).optional(),
      maxLength: z.number().int().min(0).optional(),
      reviewerId: z.string().optional(),
      search: z.string().max(200).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(200).default(50),
    }))
    .query(({ input }) => {
      const { workspaceId, runId, offset, limit, ...filters } = input;
      return listCandidates({ workspaceId, runId, offset, limit, filters });
    }),
  queue: workspaceProcedure("EDITOR").input(runInput).query(({ ctx, input }) => reviewQueue({ ...input, userId: ctx.userId })),
  judge: workspaceProcedure("EDITOR")
    .input(candidateInput.extend({
      decision: z.enum(["ACCEPT", "REJECT"]),
      grade: z.number().int().min(0).max(3).nullable().default(null),
      editedQuery: z.string().max(2000).nullable().default(null),
    }))
    .mutation(({ ctx, input }) => judgeCandidate({ ...input, userId: ctx.userId })),
  undo: workspaceProcedure("EDITOR").input(candidateInput).mutation(({ ctx, input }) => undoJudgement({ ...input, userId: ctx.userId })),
  agreement: workspaceProcedure("VIEWER").input(runInput).query(({ input }) => runAgreement(input)),
  export: workspaceProcedure("EDITOR")
    .input(runInput.extend({ target: z.enum(["training", "evaluation"]), datasetName: z.string().trim().min(1, "Name the dataset").max(120) }))
    .mutation(({ ctx, input }) => exportSynthesisRun({ ...input, userId: ctx.userId })),
});
