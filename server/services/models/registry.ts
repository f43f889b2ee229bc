import { existsSync, openSync, readSync, closeSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { resolveArtifact } from "../../storage/artifacts";
import { writeAudit } from "../workspaces/audit";
import { cleanDerivedFolders } from "./derived-cleanup";
import { resolveWorkspaceFolder } from "./folder-access";

/**
 * Model registry: base models are local folders (a real BGE-M3, or the demo model) validated on
 * registration — XLM-R architecture, hidden size, tokenizer, dense/sparse/ColBERT heads and weights present.
 */
export interface FolderInfo {
  architecture: string;
  dim: number;
  maxLength: number;
  vocabSize: number;
  layers: number;
  parameters: number;
  hasOnnx: boolean;
  weights: string;
}

function readJson(file: string, field: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new AppError("BAD_REQUEST", `${path.basename(file)} is not valid JSON: ${(e as Error).message}`, field);
  }
}

/** Parameter count from a safetensors header (8-byte little-endian length, JSON header). */
function safetensorsParameters(file: string): number {
  const fd = openSync(file, "r");
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    if (n <= 0 || n > 100 * 1024 * 1024) throw new AppError("BAD_REQUEST", "model.safetensors has an invalid header", "dir");
    const header = Buffer.alloc(n);
    readSync(fd, header, 0, n, 8);
    const json = JSON.parse(header.toString("utf8")) as Record<string, { shape?: number[] }>;
    let total = 0;
    for (const [k, v] of Object.entries(json)) if (k !== "__metadata__" && v.shape) total += v.shape.reduce((a, b) => a * b, 1);
    return total;
  } finally {
    closeSync(fd);
  }
}

export function inspectModelFolder(dir: string): FolderInfo {
  if (!path.isAbsolute(dir)) throw new AppError("BAD_REQUEST", "Give an absolute folder path on the worker host.", "dir");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AppError("BAD_REQUEST", `Folder ${dir} does not exist.`, "dir");
  const need = (file: string, what: string) => {
    if (!existsSync(path.join(dir, file))) throw new AppError("BAD_REQUEST", `${what} missing: ${file} not found in ${dir}.`, "dir");
  };
  need("config.json", "Model config");
  need("tokenizer.json", "Tokenizer");
  need("colbert_linear.pt", "ColBERT head");
  need("sparse_linear.pt", "Sparse head");
  const config = readJson(path.join(dir, "config.json"), "dir");
  const archs = Array.isArray(config.architectures) ? (config.architectures as string[]) : [];
  const type = typeof config.model_type === "string" ? config.model_type : "";
  const architecture = archs[0] ?? type;
  if (!/xlm-?roberta/i.test(architecture) && !/xlm-roberta/i.test(type))
    throw new AppError("BAD_REQUEST", `Architecture ${architecture || "unknown"} is not XLM-RoBERTa (BGE-M3).`, "dir");
  const num = (v: unknown, name: string) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new AppError("BAD_REQUEST", `config.json has no valid ${name}.`, "dir");
    return v;
  };
  const dim = num(config.hidden_size, "hidden_size");
  const layers = num(config.num_hidden_layers, "num_hidden_layers");
  const vocabSize = num(config.vocab_size, "vocab_size");
  const meta = existsSync(path.join(dir, "m3studio.json")) ? readJson(path.join(dir, "m3studio.json"), "dir") : {};
  const maxLength = typeof meta.max_length === "number" ? meta.max_length : num(config.max_position_embeddings, "max_position_embeddings") - 2;
  if (typeof meta.dim === "number" && meta.dim !== dim) throw new AppError("BAD_REQUEST", `m3studio.json dim ${meta.dim} ≠ hidden_size ${dim}.`, "dir");
  const st = path.join(dir, "model.safetensors");
  const bin = path.join(dir, "pytorch_model.bin");
  let parameters: number;
  let weights: string;
  if (existsSync(st)) {
    parameters = safetensorsParameters(st);
    weights = "model.safetensors";
  } else if (existsSync(bin)) {
    parameters = Math.round(statSync(bin).size / 4);
    weights = "pytorch_model.bin";
  } else throw new AppError("BAD_REQUEST", `Weights missing: neither model.safetensors nor pytorch_model.bin in ${dir}.`, "dir");
  return { architecture, dim, maxLength, vocabSize, layers, parameters, hasOnnx: existsSync(path.join(dir, "onnx", "model.onnx")), weights };
}

/**
 * Registers a base model folder: only folders under the allowed model roots or the workspace's own
 * checkpoints (folder-access.ts), stored with symlinks resolved so later readers use what was checked.
 */
export async function registerBaseModel({ workspaceId, userId, name, dir }: { workspaceId: string; userId: string; name: string; dir: string }) {
  const { realDir } = await resolveWorkspaceFolder(workspaceId, dir);
  const info = inspectModelFolder(realDir);
  const clash = await db.baseModel.findFirst({ where: { workspaceId, name }, select: { id: true } });
  if (clash) throw new AppError("CONFLICT", `A model named ${name} is already registered.`, "name");
  const row = await db.baseModel.create({
    data: {
      workspaceId, name, dir: realDir, architecture: info.architecture, dim: info.dim, maxLength: info.maxLength,
      vocabSize: info.vocabSize, layers: info.layers, parameters: BigInt(info.parameters),
      info: { hasOnnx: info.hasOnnx, weights: info.weights }, createdById: userId,
    },
  });
  return serializeBaseModel(row, true);
}

type BaseModelRow = Awaited<ReturnType<typeof db.baseModel.findFirstOrThrow>>;
/** `showDir`: folder paths on the worker host are for editors (who register them), not viewers. */
export function serializeBaseModel(m: BaseModelRow, showDir = false) {
  return { ...m, dir: showDir ? m.dir : null, parameters: Number(m.parameters) };
}

export async function listBaseModels({ workspaceId, showDirs = false }: { workspaceId: string; showDirs?: boolean }) {
  const rows = await db.baseModel.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" } });
  return rows.map((m) => serializeBaseModel(m, showDirs));
}

export async function getBaseModel({ workspaceId, baseModelId, showDirs = false }: { workspaceId: string; baseModelId: string; showDirs?: boolean }) {
  return serializeBaseModel(await baseModelRow({ workspaceId, baseModelId }), showDirs);
}

/**
 * Removes a base model registration (never the folder itself, which is the operator's), and then the
 * workspace's derived files made from it (ONNX exports, int8/fp16 graphs) unless a deployment still serves or
 * can roll back to that folder. Refused while runs of the workspace were trained from it: they name it.
 */
export async function deleteBaseModel({ workspaceId, baseModelId }: { workspaceId: string; baseModelId: string }) {
  const row = await baseModelRow({ workspaceId, baseModelId });
  const runs = await db.experiment.count({ where: { workspaceId, baseModelId } });
  if (runs > 0) throw new AppError("CONFLICT", `${runs} run${runs === 1 ? " was" : "s were"} trained from ${row.name}; it stays registered while they exist.`, "baseModelId");
  await db.baseModel.delete({ where: { id: row.id } });
  const removedDerivedFolders = (await cleanDerivedFolders(workspaceId)).length;
  return { id: row.id, removedDerivedFolders };
}

async function baseModelRow({ workspaceId, baseModelId }: { workspaceId: string; baseModelId: string }) {
  const row = await db.baseModel.findFirst({ where: { id: baseModelId, workspaceId } });
  if (!row) throw new AppError("NOT_FOUND", "Model not found.", "baseModelId");
  return row;
}

/** Checkpoints of the workspace, newest first, with their run's name. */
export async function listCheckpoints({ workspaceId, experimentId, showDirs = false }: { workspaceId: string; experimentId?: string; showDirs?: boolean }) {
  const rows = await db.checkpoint.findMany({ where: { workspaceId, ...(experimentId ? { experimentId } : {}) }, orderBy: [{ createdAt: "desc" }, { step: "desc" }], take: 500 });
  const runs = await db.experiment.findMany({ where: { id: { in: rows.map((r) => r.experimentId).filter((x): x is string => !!x) } }, select: { id: true, name: true } });
  const names = new Map(runs.map((r) => [r.id, r.name]));
  // Folder paths tell a viewer the artifact layout; only editors (who may register them) see them.
  return rows.map((r) => ({ ...r, dir: showDirs ? r.dir : null, runName: r.experimentId ? (names.get(r.experimentId) ?? null) : null }));
}

const tagSchema = /^[\w.-]{1,40}$/;

/**
 * Sets a checkpoint's tags and aliases. An alias (e.g. `production`) names one checkpoint per
 * workspace: setting it here removes it from any other checkpoint.
 */
export async function tagCheckpoint({ workspaceId, checkpointId, tags, aliases, userId }: { workspaceId: string; checkpointId: string; tags: string[]; aliases: string[]; userId?: string }) {
  for (const t of [...tags, ...aliases]) if (!tagSchema.test(t)) throw new AppError("BAD_REQUEST", `Invalid tag ${t}: letters, digits, _ . - only.`, "tags");
  return db.$transaction(async (tx) => {
    const ckpt = await tx.checkpoint.findFirst({ where: { id: checkpointId, workspaceId } });
    if (!ckpt) throw new AppError("NOT_FOUND", "Checkpoint not found.", "checkpointId");
    const holders = await tx.checkpoint.findMany({ where: { workspaceId, id: { not: checkpointId }, aliases: { hasSome: aliases } } });
    for (const h of holders) await tx.checkpoint.update({ where: { id: h.id }, data: { aliases: h.aliases.filter((a) => !aliases.includes(a)) } });
    if (userId) {
      const run = ckpt.experimentId ? await tx.experiment.findUnique({ where: { id: ckpt.experimentId }, select: { name: true } }) : null;
      await writeAudit(tx, { workspaceId, actorId: userId, action: "checkpoint.tagged", details: { checkpointId, experimentId: ckpt.experimentId, name: run?.name ?? null, step: ckpt.step, tags: [...new Set(tags)], aliases: [...new Set(aliases)] } });
    }
    return tx.checkpoint.update({ where: { id: checkpointId }, data: { tags: [...new Set(tags)], aliases: [...new Set(aliases)] } });
  });
}

/** Absolute folder of a compare/evaluate subject. */
export async function subjectDir({ workspaceId, kind, id }: { workspaceId: string; kind: "base" | "checkpoint"; id: string }): Promise<string> {
  if (kind === "base") return (await baseModelRow({ workspaceId, baseModelId: id })).dir;
  const c = await db.checkpoint.findFirst({ where: { id, workspaceId } });
  if (!c) throw new AppError("NOT_FOUND", "Checkpoint not found.", "checkpointId");
  return resolveArtifact(c.dir);
}
