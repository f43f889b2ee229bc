import type { Prisma } from "../../generated/prisma/client";
import { db } from "../../db";
import { getSynthesisRun } from "./runs";

export interface CandidateFilters {
  status?: "PENDING" | "ACCEPTED" | "REJECTED";
  maxRoundTripRank?: number;
  minRoundTripRank?: number;
  minLength?: number;
  maxLength?: number;
  reviewerId?: string;
  search?: string;
}

function where(runId: string, f: CandidateFilters): Prisma.CandidateWhereInput {
  return {
    runId,
    ...(f.status ? { status: f.status } : {}),
    ...(f.maxRoundTripRank !== undefined || f.minRoundTripRank !== undefined
      ? { roundTripRank: { ...(f.maxRoundTripRank !== undefined ? { lte: f.maxRoundTripRank } : {}), ...(f.minRoundTripRank !== undefined ? { gte: f.minRoundTripRank } : {}) } }
      : {}),
    ...(f.reviewerId ? { judgements: { some: { reviewerId: f.reviewerId } } } : {}),
    ...(f.search ? { query: { contains: f.search, mode: "insensitive" as const } } : {}),
  };
}

/** The bulk view: filters by status, round-trip rank, query length (characters) and reviewer. */
export async function listCandidates({ workspaceId, runId, filters, offset, limit }: { workspaceId: string; runId: string; filters: CandidateFilters; offset: number; limit: number }) {
  await getSynthesisRun({ workspaceId, runId });
  const base = where(runId, filters);
  // Length filters run in SQL: char_length is not expressible in Prisma's where.
  const lengthIds = filters.minLength !== undefined || filters.maxLength !== undefined
    ? (await db.$queryRawUnsafe<{ id: string }[]>(
        `SELECT id FROM "Candidate" WHERE "runId" = $1 AND char_length(query) BETWEEN $2 AND $3`,
        runId, filters.minLength ?? 0, filters.maxLength ?? 1_000_000,
      )).map((r) => r.id)
    : null;
  const full: Prisma.CandidateWhereInput = lengthIds ? { AND: [base, { id: { in: lengthIds } }] } : base;
  const [total, rows] = await Promise.all([
    db.candidate.count({ where: full }),
    db.candidate.findMany({
      where: full, orderBy: { ordinal: "asc" }, skip: offset, take: limit,
      include: { judgements: { select: { reviewerId: true, decision: true, grade: true, editedQuery: true } } },
    }),
  ]);
  return { total, rows };
}

/** A reviewer's queue: candidates assigned to them, in order, with their own judgement if any. */
export async function reviewQueue({ workspaceId, runId, userId }: { workspaceId: string; runId: string; userId: string }) {
  await getSynthesisRun({ workspaceId, runId });
  const assigned = await db.assignment.count({ where: { reviewerId: userId, candidate: { runId } } });
  const candidates = await db.candidate.findMany({
    where: { runId, ...(assigned > 0 ? { assignments: { some: { reviewerId: userId } } } : {}) },
    orderBy: { ordinal: "asc" },
    take: 2000,
    include: { judgements: { where: { reviewerId: userId }, select: { decision: true, grade: true, editedQuery: true } } },
  });
  return candidates.map((c) => ({
    id: c.id, ordinal: c.ordinal, query: c.query, chunkText: c.chunkText, origin: c.origin, roundTripRank: c.roundTripRank, status: c.status,
    mine: c.judgements[0] ?? null,
  }));
}
