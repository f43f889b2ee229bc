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

/** Checks that everything the options name belongs to the workspace, then queues the job. */
export async function startIndexing({ workspaceId, userId, options }: { workspaceId: string; userId: string; options: IndexOptions }) {
  const version = await db.datasetVersion.findFirst({ where: { id: options.versionId, workspaceId }, select: { id: true } });
  if (!version) throw new AppError("BAD_REQUEST", "Pick a version of a dataset of this workspace.", "versionId");
  const docs = await db.datasetRecord.count({ where: { versionId: version.id, type: "doc" } });
  if (docs === 0) throw new AppError("BAD_REQUEST", "This version holds no documents: pick a documents or evaluation version.", "versionId");
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
