import type { CandidateStatus } from "../../generated/prisma/enums";
import { db, type Tx } from "../../db";
import { AppError } from "../../lib/app-error";

async function candidateInWorkspace(tx: Tx | typeof db, workspaceId: string, candidateId: string) {
  const candidate = await tx.candidate.findFirst({ where: { id: candidateId, run: { workspaceId } }, select: { id: true, runId: true } });
  if (!candidate) throw new AppError("NOT_FOUND", "Candidate not found", "candidateId");
  return candidate;
}

/**
 * A candidate's status from its judgements: accepted when more reviewers accepted than
 * rejected, rejected when more rejected, pending otherwise (no judgement, or a tie awaiting a
 * third reviewer or an expert).
 */
async function recomputeStatus(tx: Tx, candidateId: string): Promise<CandidateStatus> {
  const judgements = await tx.judgement.findMany({ where: { candidateId }, select: { decision: true } });
  const accepts = judgements.filter((j) => j.decision === "ACCEPT").length;
  const rejects = judgements.length - accepts;
  const status: CandidateStatus = accepts > rejects ? "ACCEPTED" : rejects > accepts ? "REJECTED" : "PENDING";
  await tx.candidate.update({ where: { id: candidateId }, data: { status } });
  return status;
}

export async function judgeCandidate({ workspaceId, userId, candidateId, decision, grade, editedQuery }: {
  workspaceId: string; userId: string; candidateId: string; decision: "ACCEPT" | "REJECT"; grade: number | null; editedQuery: string | null;
}) {
  return db.$transaction(async (tx) => {
    await candidateInWorkspace(tx, workspaceId, candidateId);
    const data = { decision, grade, editedQuery: editedQuery?.trim() || null };
    await tx.judgement.upsert({
      where: { candidateId_reviewerId: { candidateId, reviewerId: userId } },
      create: { candidateId, reviewerId: userId, ...data },
      update: data,
    });
    return { status: await recomputeStatus(tx, candidateId) };
  });
}

/** Undo: removes this reviewer's judgement (the UI keeps the stack of what to undo). */
export async function undoJudgement({ workspaceId, userId, candidateId }: { workspaceId: string; userId: string; candidateId: string }) {
  return db.$transaction(async (tx) => {
    await candidateInWorkspace(tx, workspaceId, candidateId);
    await tx.judgement.deleteMany({ where: { candidateId, reviewerId: userId } });
    return { status: await recomputeStatus(tx, candidateId) };
  });
}
