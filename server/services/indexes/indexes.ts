import type { z } from "zod";
import type { IndexManifest } from "~/gpu-worker/indexing/index-corpus";
import { db } from "../../db";
import { indexCorpusJob, type indexCorpusOptions } from "../../jobs/definitions/index-corpus";
import { enqueueJob } from "../../jobs/enqueue";
import { AppError } from "../../lib/app-error";

/**
 * Indexes: "Index a corpus" jobs of a workspace. The job row is the record (payload = the options, result = the
 * manifest); the files live under ARTIFACTS_DIR in `workspaces/<workspaceId>/indexes/<jobId>/<store>/`.
 */
export type IndexOptions = z.input<typeof indexCorpusOptions>;

export function indexFolder(workspaceId: string, jobId: string): string {
  return `workspaces/${workspaceId}/indexes/${jobId}`;
}

/**
 * A document id that occurs more than once in a version (the smallest such id), or null. Every store keys its rows
 * by document id, so an index of such a version would silently keep one of them (Qdrant, Elasticsearch) or fail
 * to load (pgvector's primary key). The documents import does not refuse them, so indexing checks.
 */
export async function duplicateDocumentId(versionId: string): Promise<{ id: string; count: number } | null> {
  const [dup] = await db.datasetRecord.groupBy({
    by: ["key"], where: { versionId, type: "doc", key: { not: null } }, having: { key: { _count: { gt: 1 } } },
    orderBy: { key: "asc" }, take: 1, _count: { key: true },
  });
  return dup?.key ? { id: dup.key, count: dup._count.key } : null;
}

export const duplicateIdMessage = (d: { id: string; count: number }) =>
  `Document id ${JSON.stringify(d.id)} occurs ${d.count} times in this version: every store keys documents by id, so give each document its own id.`;

/** Checks that everything the options name belongs to the workspace, then queues the job. */
export async function startIndexing({ workspaceId, userId, options }: { workspaceId: string; userId: string; options: IndexOptions }) {
  const version = await db.datasetVersion.findFirst({ where: { id: options.versionId, workspaceId }, select: { id: true } });
  if (!version) throw new AppError("BAD_REQUEST", "Pick a version of a dataset of this workspace.", "versionId");
  const docs = await db.datasetRecord.count({ where: { versionId: version.id, type: "doc" } });
  if (docs === 0) throw new AppError("BAD_REQUEST", "This version holds no documents: pick a documents or evaluation version.", "versionId");
  const dup = await duplicateDocumentId(version.id);
  if (dup) throw new AppError("BAD_REQUEST", duplicateIdMessage(dup), "versionId");
  if (options.evalVersionId) {
    const evalSet = await db.datasetVersion.findFirst({ where: { id: options.evalVersionId, workspaceId, dataset: { kind: "EVALUATION" } }, select: { id: true } });
    if (!evalSet) throw new AppError("BAD_REQUEST", "Pick an evaluation version of this workspace for the ColBERT recall cost.", "evalVersionId");
    if (!options.colbert) throw new AppError("BAD_REQUEST", "The recall cost is measured for the ColBERT options: turn ColBERT on, or pick no evaluation set.", "evalVersionId");
    const qrels = await db.datasetRecord.count({ where: { versionId: evalSet.id, type: "qrel" } });
    if (qrels === 0) throw new AppError("BAD_REQUEST", "This evaluation version has no relevance judgements.", "evalVersionId");
  }
  const m = options.model;
  const found =
    m.kind === "default" ||
    (m.kind === "base" && (await db.baseModel.count({ where: { id: m.id, workspaceId } })) > 0) ||
    (m.kind === "checkpoint" && (await db.checkpoint.count({ where: { id: m.id, workspaceId } })) > 0) ||
    (m.kind === "deployment" && (await db.deployment.count({ where: { id: m.id, workspaceId } })) > 0);
  if (!found) throw new AppError("BAD_REQUEST", `Unknown ${m.kind === "deployment" ? "deployment" : m.kind === "base" ? "base model" : "checkpoint"}.`, "model");
  const job = await enqueueJob({ type: indexCorpusJob.type, workspaceId, payload: { ...options, workspaceId, userId }, maxAttempts: indexCorpusJob.maxAttempts, leaseSeconds: indexCorpusJob.leaseSeconds });
  return { jobId: job.id, documents: docs };
}

export interface IndexSummary {
  id: string;
  name: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  error: string | null;
  stores: string[];
  createdAt: Date;
  finishedAt: Date | null;
  manifest: IndexManifest | null;
}

function summarise(j: { id: string; status: string; progress: number; progressMessage: string | null; lastError: string | null; payload: unknown; result: unknown; createdAt: Date; finishedAt: Date | null }): IndexSummary {
  const p = j.payload as { name?: string; stores?: string[] };
  return {
    id: j.id, name: p.name ?? "", status: j.status, progress: j.progress, progressMessage: j.progressMessage,
    error: j.status === "FAILED" ? j.lastError : null, stores: p.stores ?? [], createdAt: j.createdAt, finishedAt: j.finishedAt,
    manifest: j.status === "SUCCEEDED" ? (j.result as IndexManifest | null) : null,
  };
}

export async function listIndexes({ workspaceId }: { workspaceId: string }): Promise<IndexSummary[]> {
  const jobs = await db.job.findMany({ where: { workspaceId, type: indexCorpusJob.type }, orderBy: { createdAt: "desc" }, take: 50 });
  return jobs.map(summarise);
}

/** One index of the workspace; the same NOT_FOUND for another workspace's job and for none. */
export async function getIndex({ workspaceId, jobId }: { workspaceId: string; jobId: string }): Promise<IndexSummary> {
  const job = /^[0-9a-f-]{36}$/i.test(jobId) ? await db.job.findFirst({ where: { id: jobId, workspaceId, type: indexCorpusJob.type } }) : null;
  if (!job) throw new AppError("NOT_FOUND", "Index not found.", "jobId");
  return summarise(job);
}
