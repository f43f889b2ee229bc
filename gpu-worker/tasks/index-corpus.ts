import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { db } from "~/server/db";
import { indexCorpusPayload } from "~/server/jobs/definitions/index-corpus";
import { PermanentJobError } from "~/server/jobs/types";
import { DEFAULT_HYBRID_WEIGHTS } from "~/server/lib/retrieval/fusion";
import { defaultBaseModelDir } from "~/server/services/models/default-model";
import { workingModelFolder } from "~/server/services/models/folder-access";
import { subjectDir } from "~/server/services/models/registry";
import { indexFolder } from "~/server/services/indexes/indexes";
import { resolveArtifact } from "~/server/storage/artifacts";
import { loadEncoder } from "../inference/load";
import { indexCorpus, type CorpusSource } from "../indexing/index-corpus";
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

/** config.json's vocab_size (pgvector's sparsevec dimension). */
function vocabSize(dir: string): number {
  const v = (JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as { vocab_size?: unknown }).vocab_size;
  if (typeof v !== "number" || v <= 0) throw new PermanentJobError("the model's config.json has no vocab_size");
  return v;
}

/** The checkpoint's own hybrid weights (m3studio.json `hybrid_weights`), else FlagEmbedding's [0.4, 0.2, 0.4]. */
function hybridWeights(dir: string): [number, number, number] {
  const file = path.join(dir, "m3studio.json");
  const w = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { hybrid_weights?: unknown }).hybrid_weights : undefined;
  return Array.isArray(w) && w.length === 3 && w.every((x) => typeof x === "number" && x >= 0) ? (w as [number, number, number]) : DEFAULT_HYBRID_WEIGHTS;
}

/** The `index_corpus` job: a version's documents → export files under the job's index folder. */
export const runIndexCorpus: JobHandler<unknown> = async (ctx) => {
  const p = indexCorpusPayload.parse(ctx.payload);
  const version = await db.datasetVersion.findFirst({ where: { id: p.versionId, workspaceId: p.workspaceId }, select: { id: true } });
  if (!version) throw new PermanentJobError("dataset version not found");
  const total = await db.datasetRecord.count({ where: { versionId: version.id, type: "doc" } });
  if (total === 0) throw new PermanentJobError("this version holds no documents");
  const source: CorpusSource = {
    total,
    page: async (offset, limit) =>
      (await db.datasetRecord.findMany({ where: { versionId: version.id, type: "doc" }, orderBy: { ordinal: "asc" }, skip: offset, take: limit, select: { key: true, ordinal: true, text: true } }))
        .map((r) => ({ id: r.key ?? String(r.ordinal), text: r.text })),
  };
  const model = await modelFolder(p.workspaceId, p.model, ctx.signal);
  const { encoder, maxLength } = await loadEncoder(model.dir);
  try {
    const colbert = p.colbert ? { dimensions: p.colbert.dimensions ?? encoder.dim, format: p.colbert.format } : null;
    if (colbert && colbert.dimensions > encoder.dim) throw new PermanentJobError(`colbert.dimensions: ${colbert.dimensions} is larger than the model's ${encoder.dim}`);
    await ctx.log(`indexing ${total} documents with ${model.label} into ${p.stores.join(", ")}`);
    return await indexCorpus({
      encoder, source, outDir: resolveArtifact(indexFolder(p.workspaceId, ctx.jobId)), stores: p.stores, name: p.name, model: model.label,
      vocabSize: vocabSize(model.dir), maxLength: Math.min(p.maxLength, maxLength), sparse: p.sparse, colbert, weights: hybridWeights(model.dir),
      batchSize: p.batchSize, signal: ctx.signal, progress: (f, m) => ctx.progress(f, m),
    });
  } finally {
    await encoder.backend.close();
  }
};
