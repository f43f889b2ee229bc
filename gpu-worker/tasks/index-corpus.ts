import path from "node:path";
import { db } from "~/server/db";
import { indexCorpusPayload } from "~/server/jobs/definitions/index-corpus";
import { PermanentJobError } from "~/server/jobs/types";
import { defaultBaseModelDir } from "~/server/services/models/default-model";
import { workingModelFolder } from "~/server/services/models/folder-access";
import { subjectDir } from "~/server/services/models/registry";
import { materializeEvalVersion } from "~/server/services/experiments/evaluations";
import { duplicateDocumentId, duplicateIdMessage, indexFolder } from "~/server/services/indexes/indexes";
import { resolveArtifact } from "~/server/storage/artifacts";
import { loadEvalData } from "../inference/eval-data";
import { loadEncoder } from "../inference/load";
import { indexCorpus, type CorpusSource } from "../indexing/index-corpus";
import { modelHybridWeights, modelVocabSize } from "../indexing/model-info";
import { ensureOnnx } from "./evaluate-subjects";
import type { JobHandler } from "./types";

/** The model folder (with an ONNX export) and a label for the chosen model, all within the workspace. */
async function modelFolder(workspaceId: string, model: { kind: string; id?: string }, signal: AbortSignal): Promise<{ dir: string; label: string }> {
  if (model.kind === "default") {
    const dir = defaultBaseModelDir();
    if (!dir) throw new PermanentJobError("no default base model with an ONNX export (set M3_BASE_MODEL or build the demo model)");
    return { dir, label: path.basename(dir) };
  }
  let source: string;
  let label: string;
  if (model.kind === "deployment") {
    const dep = await db.deployment.findFirst({ where: { id: model.id, workspaceId } });
    if (!dep) throw new PermanentJobError("deployment not found");
    // The model the deployment serves right now, encoded by this worker's engine (the parity probe holds the
    // served vectors to within 1e-4 of it).
    source = path.isAbsolute(dep.modelDir) ? dep.modelDir : resolveArtifact(dep.modelDir);
    label = `${dep.name} (${dep.modelLabel})`;
  } else {
    const kind = model.kind as "base" | "checkpoint";
    source = await subjectDir({ workspaceId, kind, id: model.id! }).catch(() => {
      throw new PermanentJobError(`${kind === "base" ? "base model" : "checkpoint"} not found`);
    });
    label = kind === "base" ? ((await db.baseModel.findFirst({ where: { id: model.id, workspaceId } }))?.name ?? "base model") : `checkpoint ${model.id}`;
  }
  const dir = await workingModelFolder(workspaceId, source).catch((e: Error) => {
    throw new PermanentJobError(e.message);
  });
  await ensureOnnx(dir, signal);
  return { dir, label };
}

/** The workspace's evaluation version (corpus, queries, qrels) for the ColBERT recall cost, read as evaluations read it. */
async function evaluationSet(workspaceId: string, versionId: string) {
  const version = await db.datasetVersion.findFirst({ where: { id: versionId, workspaceId, dataset: { kind: "EVALUATION" } }, select: { number: true, dataset: { select: { name: true } } } });
  if (!version) throw new PermanentJobError("evaluation version not found");
  try {
    const files = await materializeEvalVersion(versionId);
    const data = loadEvalData({ corpus: resolveArtifact(files.corpus), queries: resolveArtifact(files.queries), qrels: resolveArtifact(files.qrels) });
    return { label: `${version.dataset.name} v${version.number}`, data };
  } catch (e) {
    throw new PermanentJobError(`evaluation version ${versionId}: ${(e as Error).message}`);
  }
}

/** The `index_corpus` job: a version's documents → export files under the job's index folder. */
export const runIndexCorpus: JobHandler<unknown> = async (ctx) => {
  const p = indexCorpusPayload.parse(ctx.payload);
  const version = await db.datasetVersion.findFirst({ where: { id: p.versionId, workspaceId: p.workspaceId }, select: { id: true } });
  if (!version) throw new PermanentJobError("dataset version not found");
  const total = await db.datasetRecord.count({ where: { versionId: version.id, type: "doc" } });
  if (total === 0) throw new PermanentJobError("this version holds no documents");
  const dup = await duplicateDocumentId(version.id);
  if (dup) throw new PermanentJobError(duplicateIdMessage(dup));
  const source: CorpusSource = {
    total,
    page: async (offset, limit) =>
      (await db.datasetRecord.findMany({ where: { versionId: version.id, type: "doc" }, orderBy: { ordinal: "asc" }, skip: offset, take: limit, select: { key: true, ordinal: true, text: true } }))
        .map((r) => ({ id: r.key ?? String(r.ordinal), text: r.text })),
  };
  const model = await modelFolder(p.workspaceId, p.model, ctx.signal);
  let vocabSize: number;
  try {
    vocabSize = modelVocabSize(model.dir);
  } catch (e) {
    throw new PermanentJobError((e as Error).message);
  }
  const evaluation = p.colbert && p.evalVersionId ? await evaluationSet(p.workspaceId, p.evalVersionId) : null;
  const { encoder, maxLength } = await loadEncoder(model.dir);
  try {
    const colbert = p.colbert ? { dimensions: p.colbert.dimensions ?? encoder.dim, format: p.colbert.format } : null;
    if (colbert && colbert.dimensions > encoder.dim) throw new PermanentJobError(`colbert.dimensions: ${colbert.dimensions} is larger than the model's ${encoder.dim}`);
    await ctx.log(`indexing ${total} documents with ${model.label} into ${p.stores.join(", ")}`);
    return await indexCorpus({
      encoder, source, outDir: resolveArtifact(indexFolder(p.workspaceId, ctx.jobId)), stores: p.stores, name: p.name, model: model.label,
      vocabSize, maxLength: Math.min(p.maxLength, maxLength), sparse: p.sparse, colbert, evaluation, weights: modelHybridWeights(model.dir),
      batchSize: p.batchSize, signal: ctx.signal, progress: (f, m) => ctx.progress(f, m),
    });
  } finally {
    await encoder.backend.close();
  }
};
