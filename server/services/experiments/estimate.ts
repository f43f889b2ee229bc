import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { estimateRun, resolveConfig, type PresetName, type TrainConfigInput } from "./schema";

/** The new-run form's memory/time estimate for a base model and training version. */
export async function estimateForRun({ workspaceId, baseModelId, trainVersionId, preset, config, gpuMemoryGb }: {
  workspaceId: string; baseModelId: string; trainVersionId?: string; preset: PresetName; config: Partial<TrainConfigInput>; gpuMemoryGb?: number;
}) {
  const model = await db.baseModel.findFirst({ where: { id: baseModelId, workspaceId } });
  if (!model) throw new AppError("NOT_FOUND", "Model not found.", "baseModelId");
  let groups = 1000;
  if (trainVersionId) {
    const v = await db.datasetVersion.findFirst({ where: { id: trainVersionId, workspaceId }, select: { counts: true, rowCount: true } });
    if (v) groups = (v.counts as Record<string, number>).pair ?? v.rowCount;
  }
  let resolved;
  try {
    resolved = resolveConfig(preset, config);
  } catch (e) {
    throw new AppError("BAD_REQUEST", `Invalid configuration: ${(e as Error).message}`, "config");
  }
  return {
    config: resolved,
    groups,
    estimate: estimateRun(resolved, { parameters: Number(model.parameters), hidden: model.dim, layers: model.layers, vocabSize: model.vocabSize }, { groups, gpuMemoryGb }),
  };
}
