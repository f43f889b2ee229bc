import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { ensureDataset } from "../datasets/datasets";
import { RecordWriter } from "../datasets/import/record-writer";
import { nextVersionNumber } from "../datasets/versions";
import { getSynthesisRun } from "./runs";

type Target = "training" | "evaluation";

/** The query text a reviewer settled on: the latest accepting edit, else the draft. */
function finalQuery(candidate: { query: string; judgements: { decision: string; editedQuery: string | null; updatedAt: Date }[] }): string {
  const edits = candidate.judgements.filter((j) => j.decision === "ACCEPT" && j.editedQuery).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  return edits[0]?.editedQuery ?? candidate.query;
}

/**
 * Exports a reviewed run into a new dataset version:
 * - training: accepted candidates as pairs {query, pos: [its chunk], neg: []} (mine hard
 *   negatives for them with the mining job);
 * - evaluation: every chunk as a document, graded candidates as queries, and one judgement
 *   per query with the mean grade of its reviewers, rounded (graded relevance 0–3).
 */
export async function exportSynthesisRun({ workspaceId, userId, runId, target, datasetName }: { workspaceId: string; userId: string; runId: string; target: Target; datasetName: string }) {
  const run = await getSynthesisRun({ workspaceId, runId });
  const candidates = await db.candidate.findMany({
    where: { runId, ...(target === "training" ? { status: "ACCEPTED" as const } : { judgements: { some: { grade: { not: null } } } }) },
    include: { judgements: { select: { decision: true, grade: true, editedQuery: true, updatedAt: true } } },
    orderBy: { ordinal: "asc" },
  });
  if (candidates.length === 0) {
    throw new AppError("BAD_REQUEST", target === "training" ? "No accepted candidates to export yet" : "No graded candidates to export yet", "target");
  }
  return db.$transaction(async (tx) => {
    const dataset = await ensureDataset(tx, { workspaceId, name: datasetName, kind: target === "training" ? "TRAINING" : "EVALUATION", userId });
    const number = await nextVersionNumber(tx, dataset.id);
    const version = await tx.datasetVersion.create({
      data: { workspaceId, datasetId: dataset.id, number, contentHash: "", rowCount: 0, createdById: userId, source: { kind: "review", runId, runName: run.name, target } },
    });
    const writer = new RecordWriter(tx, version.id);
    if (target === "training") {
      for (const c of candidates) {
        const query = finalQuery(c);
        await writer.add({ type: "pair", groupKey: c.chunkKey, text: `${query}\n${c.chunkText}`, data: { query, pos: [c.chunkText], neg: [] } });
      }
    } else {
      const chunks = await db.candidate.findMany({ where: { runId }, distinct: ["chunkKey"], select: { chunkKey: true, chunkText: true }, orderBy: { chunkKey: "asc" } });
      for (const chunk of chunks) await writer.add({ type: "doc", key: chunk.chunkKey, text: chunk.chunkText, data: { id: chunk.chunkKey, text: chunk.chunkText } });
      for (const c of candidates) {
        const grades = c.judgements.map((j) => j.grade).filter((g): g is number => g !== null);
        const relevance = Math.round(grades.reduce((a, b) => a + b, 0) / grades.length);
        const queryId = `c${c.ordinal}`;
        await writer.add({ type: "query", key: queryId, text: finalQuery(c), data: { id: queryId, text: finalQuery(c) } });
        await writer.add({ type: "qrel", key: queryId, text: `${queryId} ${c.chunkKey}`, data: { queryId, docId: c.chunkKey, relevance } });
      }
    }
    await writer.flush();
    return tx.datasetVersion.update({ where: { id: version.id }, data: { contentHash: writer.digest(), rowCount: writer.total, counts: writer.counts } });
  });
}
