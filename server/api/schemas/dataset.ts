import { z } from "zod";
import { DATASET_KINDS, importFile } from "../../jobs/definitions/import-dataset";
import { workspaceInput } from "../trpc";

export const datasetKind = z.enum(DATASET_KINDS);

export const startImportInput = workspaceInput.extend({
  datasetName: z.string().trim().min(1, "Name the dataset").max(120),
  kind: datasetKind,
  files: z.array(importFile).min(1, "Add at least one file").max(3),
  pairsAsEvaluation: z.boolean().default(false),
});

export const recordsInput = workspaceInput.extend({
  versionId: z.string().min(1),
  type: z.string().max(20).optional(),
  split: z.string().max(20).optional(),
  search: z.string().max(200).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(200).default(50),
});

export const splitInput = workspaceInput.extend({
  versionId: z.string().min(1),
  ratios: z.object({ train: z.number().min(0).max(100), validation: z.number().min(0).max(100), test: z.number().min(0).max(100) }),
  seed: z.string().max(50).default("m3"),
});
