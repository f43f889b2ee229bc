import { z } from "zod";
import { db } from "../../db";
import { enqueueJob } from "../../jobs/enqueue";
import { AppError } from "../../lib/app-error";
import { getVersionOrThrow } from "../datasets/datasets";
import { DEFAULT_GUIDE } from "./guide";

/** Shared by the new-run form, the tRPC input and the job (stored on the run). */
export const synthesisConfig = z
  .object({
    domain: z.enum(["medical", "legal", "finance", "custom"]).default("medical"),
    language: z.enum(["zh", "en"]).default("zh"),
    queriesPerChunk: z.number().int().min(1).max(10).default(3),
    chunkTokens: z.number().int().min(32).max(4096).default(256),
    overlapTokens: z.number().int().min(0).max(1024).default(32),
    maxChunks: z.number().int().min(1).max(100_000).default(500),
    useLlm: z.boolean().default(true),
    reviewerIds: z.array(z.string().min(1)).max(20).default([]),
    overlap: z.number().int().min(1).max(5).default(2),
  })
  .strict();
export type SynthesisConfig = z.infer<typeof synthesisConfig>;

export async function createSynthesisRun({ workspaceId, userId, name, sourceVersionId, config }: {
  workspaceId: string; userId: string; name: string; sourceVersionId: string; config: SynthesisConfig;
}) {
  const version = await getVersionOrThrow(workspaceId, sourceVersionId);
  if (version.dataset.kind !== "DOCUMENTS") throw new AppError("BAD_REQUEST", "Synthesis needs a documents dataset version", "sourceVersionId");
  if (config.overlapTokens >= config.chunkTokens) throw new AppError("BAD_REQUEST", "Overlap must be smaller than the chunk size", "overlapTokens");
  const members = await db.membership.findMany({ where: { workspaceId, userId: { in: config.reviewerIds } }, select: { userId: true } });
  if (members.length !== config.reviewerIds.length) throw new AppError("BAD_REQUEST", "Every reviewer must be a member of the workspace", "reviewerIds");
  return db.$transaction(async (tx) => {
    const run = await tx.synthesisRun.create({
      data: { workspaceId, name, sourceVersionId, config, guide: DEFAULT_GUIDE, createdById: userId },
    });
    const job = await enqueueJob({ type: "synthesize", payload: { workspaceId, runId: run.id }, workspaceId }, tx);
    return tx.synthesisRun.update({ where: { id: run.id }, data: { jobId: job.id } });
  });
}

export async function listSynthesisRuns({ workspaceId }: { workspaceId: string }) {
  const runs = await db.synthesisRun.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 100 });
  const counts = await db.candidate.groupBy({ by: ["runId", "status"], where: { runId: { in: runs.map((r) => r.id) } }, _count: { _all: true } });
  const jobs = await db.job.findMany({ where: { id: { in: runs.map((r) => r.jobId).filter((x): x is string => !!x) } }, select: { id: true, status: true, progress: true } });
  return runs.map((r) => ({
    id: r.id, name: r.name, createdAt: r.createdAt, stats: r.stats,
    job: jobs.find((j) => j.id === r.jobId) ?? null,
    counts: Object.fromEntries(counts.filter((c) => c.runId === r.id).map((c) => [c.status, c._count._all])) as Record<string, number>,
  }));
}

export async function getSynthesisRun({ workspaceId, runId }: { workspaceId: string; runId: string }) {
  const run = await db.synthesisRun.findFirst({ where: { id: runId, workspaceId } });
  if (!run) throw new AppError("NOT_FOUND", "Synthesis run not found", "runId");
  const job = run.jobId ? await db.job.findUnique({ where: { id: run.jobId }, select: { id: true, status: true, progress: true, progressMessage: true, lastError: true } }) : null;
  const counts = await db.candidate.groupBy({ by: ["status"], where: { runId }, _count: { _all: true } });
  return { ...run, config: run.config as SynthesisConfig, job, counts: Object.fromEntries(counts.map((c) => [c.status, c._count._all])) as Record<string, number> };
}

export async function updateGuide({ workspaceId, runId, guide }: { workspaceId: string; runId: string; guide: string }) {
  const { count } = await db.synthesisRun.updateMany({ where: { id: runId, workspaceId }, data: { guide } });
  if (count === 0) throw new AppError("NOT_FOUND", "Synthesis run not found", "runId");
}
