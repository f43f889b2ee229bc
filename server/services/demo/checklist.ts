import { db } from "../../db";
import { Prisma } from "../../generated/prisma/client";
import { defaultBaseModelDir } from "../models/default-model";
import { offerDefaultModel } from "../models/default-offer";
import { BUILD_MODEL_COMMAND } from "./demo-workspace";
import { readHeldoutFigures } from "./heldout-figures";

export const CHECKLIST_STEPS = ["data", "quality", "review", "run", "compare", "deploy"] as const;
export type ChecklistStepId = (typeof CHECKLIST_STEPS)[number];

export interface ChecklistStep {
  id: ChecklistStepId;
  done: boolean;
  /** Jobs of this step still queued or running (imports, quality reports). */
  pending: number;
}

/**
 * The first-run checklist (data → quality → synthesis/review → run → compare → deploy), read from real state on
 * every call, so it ticks itself off as work lands:
 * - data: a training and an evaluation dataset version exist;
 * - quality: a version has a quality report;
 * - review: a synthesised candidate was judged, or a review was exported to a dataset;
 * - run: a training run succeeded;
 * - compare: a checkpoint has evaluation results (the base-vs-tuned comparison has numbers);
 * - deploy: a deployment is LIVE.
 * `compare` carries the subjects of the comparison link (the first base model vs the latest finished run).
 */
export async function workspaceChecklist({ workspaceId }: { workspaceId: string }) {
  const [demo, training, evaluation, quality, judged, exported, run, evaluated, live, baseModel, jobs] = await Promise.all([
    db.auditLog.count({ where: { workspaceId, action: "workspace.created", details: { path: ["demo"], equals: true } } }),
    db.datasetVersion.count({ where: { workspaceId, dataset: { kind: "TRAINING" } } }),
    db.datasetVersion.count({ where: { workspaceId, dataset: { kind: "EVALUATION" } } }),
    db.datasetVersion.count({ where: { workspaceId, quality: { not: Prisma.AnyNull } } }),
    db.judgement.count({ where: { candidate: { run: { workspaceId } } } }),
    db.datasetVersion.count({ where: { workspaceId, source: { path: ["kind"], equals: "review" } } }),
    db.experiment.findFirst({ where: { workspaceId, status: "SUCCEEDED" }, orderBy: { createdAt: "desc" }, select: { id: true, baseModelId: true } }),
    db.evaluation.findFirst({ where: { workspaceId, status: "SUCCEEDED", subjects: { array_contains: [{ kind: "checkpoint" }] } }, select: { id: true } }),
    db.deployment.count({ where: { workspaceId, status: "LIVE" } }),
    db.baseModel.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true } }),
    db.job.groupBy({ by: ["type"], where: { workspaceId, status: { in: ["QUEUED", "RUNNING"] }, type: { in: ["import_dataset", "dataset_quality"] } }, _count: { _all: true } }),
  ]);
  // A demo workspace made while the demo model was still building gets it once built, as the model lists do,
  // instead of a "Register the demo model" button beside a ready model.
  let model = baseModel;
  if (demo > 0 && !model && defaultBaseModelDir()) {
    await offerDefaultModel(workspaceId);
    model = await db.baseModel.findFirst({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true } });
  }
  const pending = (type: string) => jobs.find((j) => j.type === type)?._count._all ?? 0;
  const steps: ChecklistStep[] = [
    { id: "data", done: training > 0 && evaluation > 0, pending: pending("import_dataset") },
    { id: "quality", done: quality > 0, pending: pending("dataset_quality") },
    { id: "review", done: judged > 0 || exported > 0, pending: 0 },
    { id: "run", done: !!run, pending: 0 },
    { id: "compare", done: !!evaluated, pending: 0 },
    { id: "deploy", done: live > 0, pending: 0 },
  ];
  return {
    /** Made by "Create demo workspace": the workspace home shows the checklist there. */
    demo: demo > 0,
    steps,
    complete: steps.every((s) => s.done),
    compare: run ? { baseModelId: run.baseModelId, runId: run.id } : null,
    baseModel: model ? { id: model.id } : null,
    /** Shown when the workspace has no model and the default one is not built yet. */
    buildModelCommand: !model && !defaultBaseModelDir() ? BUILD_MODEL_COMMAND : null,
    /** The default model's held-out nDCG@10 next to BM25's, as its build measured it (null for other models). */
    heldout: demo > 0 ? readHeldoutFigures(defaultBaseModelDir()) : null,
  };
}
