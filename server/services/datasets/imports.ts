import type { z } from "zod";
import { db } from "../../db";
import { enqueueJob } from "../../jobs/enqueue";
import type { importDatasetJob } from "../../jobs/definitions/import-dataset";
import { AppError } from "../../lib/app-error";

type ImportPayload = Omit<z.infer<typeof importDatasetJob.payload>, "pairsAsEvaluation">;

/** Which file roles each kind of dataset takes. */
const ROLES_BY_KIND: Record<ImportPayload["kind"], string[][]> = {
  TRAINING: [["pairs"]],
  EVALUATION: [["corpus", "queries", "qrels"], ["pairs"], ["corpus", "queries"]],
  DOCUMENTS: [["docs"]],
  RAG_LOG: [["logs"]],
};

/** Checks the request and queues the import job; the version appears when the job succeeds. */
export async function startImport(payload: ImportPayload) {
  const roles = payload.files.map((f) => f.role).sort();
  const allowed = ROLES_BY_KIND[payload.kind].map((set) => [...set].sort().join(","));
  if (!allowed.includes(roles.join(","))) {
    throw new AppError("BAD_REQUEST", `A ${payload.kind.toLowerCase()} dataset takes files as: ${allowed.map((a) => `[${a}]`).join(" or ")}`, "files");
  }
  const uploads = await db.upload.findMany({ where: { id: { in: payload.files.map((f) => f.uploadId) }, workspaceId: payload.workspaceId } });
  if (uploads.length !== new Set(payload.files.map((f) => f.uploadId)).size) throw new AppError("NOT_FOUND", "Upload not found", "files");
  const existing = await db.dataset.findUnique({ where: { workspaceId_name: { workspaceId: payload.workspaceId, name: payload.datasetName } } });
  if (existing && existing.kind !== payload.kind) {
    throw new AppError("CONFLICT", `Dataset "${payload.datasetName}" already exists as ${existing.kind.toLowerCase()} data`, "datasetName");
  }
  return enqueueJob({
    type: "import_dataset",
    payload: { ...payload, pairsAsEvaluation: payload.kind === "EVALUATION" && roles.join(",") === "pairs" },
    workspaceId: payload.workspaceId,
    priority: 5,
  });
}
