import { db } from "../../db";
import { pairwiseKappa } from "../../lib/review";
import { getSynthesisRun } from "./runs";

/**
 * Agreement per pair of reviewers over the candidates both judged: Cohen's κ on
 * accept/reject and quadratic-weighted κ on the 0–3 grade.
 */
export async function runAgreement({ workspaceId, runId }: { workspaceId: string; runId: string }) {
  await getSynthesisRun({ workspaceId, runId });
  const judgements = await db.judgement.findMany({ where: { candidate: { runId } }, select: { candidateId: true, reviewerId: true, decision: true, grade: true } });
  const decisions = pairwiseKappa(judgements.map((j) => ({ itemId: j.candidateId, reviewerId: j.reviewerId, label: j.decision })), { categories: ["ACCEPT", "REJECT"] });
  const grades = pairwiseKappa(
    judgements.filter((j) => j.grade !== null).map((j) => ({ itemId: j.candidateId, reviewerId: j.reviewerId, label: j.grade! })),
    { weights: "quadratic", categories: [0, 1, 2, 3] },
  );
  const users = await db.user.findMany({ where: { id: { in: [...new Set(judgements.map((j) => j.reviewerId))] } }, select: { id: true, email: true } });
  const email = new Map(users.map((u) => [u.id, u.email]));
  return {
    pairs: decisions.map((d) => ({
      a: d.reviewerA, b: d.reviewerB, aEmail: email.get(d.reviewerA) ?? d.reviewerA, bEmail: email.get(d.reviewerB) ?? d.reviewerB,
      shared: d.n, decisionKappa: d.kappa,
      gradeKappa: grades.find((g) => g.reviewerA === d.reviewerA && g.reviewerB === d.reviewerB)?.kappa ?? null,
    })),
  };
}
