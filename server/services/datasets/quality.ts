import path from "node:path";
import { db } from "../../db";
import { enqueueJob } from "../../jobs/enqueue";
import { buildQualityReport, type QualityReport, type QualityRow, type SplitTexts } from "../../lib/quality";
import { getVersionOrThrow } from "./datasets";
import { defaultTokenizerPath } from "../models/default-model";

/** Rows beyond this are not read for the report (stated in the report); keeps the job's memory bounded. */
export const QUALITY_ROW_LIMIT = 200_000;

export function startQualityReport({ workspaceId, versionId }: { workspaceId: string; versionId: string }) {
  return enqueueJob({ type: "dataset_quality", payload: { workspaceId, versionId }, workspaceId, priority: 3 });
}

/** Training rows of a version (pairs), or an evaluation set seen as query → relevant documents. */
async function rowsOf(versionId: string, split?: string): Promise<QualityRow[]> {
  const pairs = await db.datasetRecord.findMany({
    where: { versionId, type: "pair", ...(split ? { split } : {}) },
    select: { data: true },
    orderBy: { ordinal: "asc" },
    take: QUALITY_ROW_LIMIT,
  });
  if (pairs.length) return pairs.map((p) => p.data as unknown as QualityRow);
  const [queries, docs, qrels] = await Promise.all([
    db.datasetRecord.findMany({ where: { versionId, type: "query", ...(split ? { split } : {}) }, select: { key: true, data: true }, take: QUALITY_ROW_LIMIT }),
    db.datasetRecord.findMany({ where: { versionId, type: "doc" }, select: { key: true, data: true } }),
    db.datasetRecord.findMany({ where: { versionId, type: "qrel" }, select: { data: true } }),
  ]);
  const docText = new Map(docs.map((d) => [d.key, (d.data as { text: string }).text]));
  const relevant = new Map<string, string[]>();
  for (const q of qrels) {
    const r = q.data as { queryId: string; docId: string; relevance: number };
    if (r.relevance < 1) continue;
    const text = docText.get(r.docId);
    if (text !== undefined) relevant.set(r.queryId, [...(relevant.get(r.queryId) ?? []), text]);
  }
  return queries.map((q) => ({ query: (q.data as { text: string }).text, pos: relevant.get(q.key ?? "") ?? [], neg: [] }));
}

function toSplitTexts(rows: QualityRow[]): SplitTexts {
  return { queries: rows.map((r) => r.query), passages: rows.flatMap((r) => r.pos) };
}

/**
 * Builds the report: lengths in tokens of the chosen tokenizer, duplicates, near-duplicates,
 * pos/neg similarity, and leakage against the evaluation version (or the version's own test
 * split against its train split). Stored on the version, shaped for the UI.
 */
export async function computeQualityReport(
  { workspaceId, versionId, evaluationVersionId, tokenizerPath }: { workspaceId: string; versionId: string; evaluationVersionId?: string; tokenizerPath?: string },
  countTokensFrom: (tokenizerJson: string) => (text: string) => number,
) {
  await getVersionOrThrow(workspaceId, versionId);
  const hasSplits = (await db.datasetRecord.count({ where: { versionId, split: "test" } })) > 0;
  const rows = await rowsOf(versionId, hasSplits && !evaluationVersionId ? "train" : undefined);
  let evaluation: SplitTexts | undefined;
  if (evaluationVersionId) {
    await getVersionOrThrow(workspaceId, evaluationVersionId);
    evaluation = toSplitTexts(await rowsOf(evaluationVersionId));
  } else if (hasSplits) {
    evaluation = toSplitTexts(await rowsOf(versionId, "test"));
  }
  const tokenizer = tokenizerPath ?? defaultTokenizerPath();
  const report = buildQualityReport(rows, { evaluation, ...(tokenizer ? { countTokens: countTokensFrom(tokenizer) } : {}) });
  const view = toView(report, { tokenizer, truncatedRows: rows.length >= QUALITY_ROW_LIMIT, queries: rows.map((r) => r.query) });
  await db.datasetVersion.update({ where: { id: versionId }, data: { quality: view as object } });
  return { score: view.score, warnings: view.warnings.length };
}

/** Near-duplicate query pairs the report lists (the report keeps the first 100 verified pairs). */
export const NEAR_DUPLICATE_EXAMPLES = 50;

function toView(report: QualityReport, meta: { tokenizer: string | null; truncatedRows: boolean; queries: readonly string[] }) {
  // Characters always; tokens of the chosen model when a tokenizer is available (with truncation shares).
  const histograms = (["query", "positive", "negative"] as const).flatMap((key) => {
    const stats = report.lengths[key];
    const truncated = stats.truncated[0];
    const views = [{ unit: "chars", dist: stats.chars, truncation: stats.tokens ? null : truncated }, ...(stats.tokens ? [{ unit: "tokens", dist: stats.tokens, truncation: truncated }] : [])];
    return views
      .map(({ unit, dist, truncation }) => ({
        key: `${key}_${unit}`,
        bins: dist.histogram.counts.map((count, i) => ({ label: String(Math.round(dist.histogram.edges[i] ?? 0)), count })),
        ...(truncation ? { truncatedShare: truncation.share, maxLength: truncation.maxLength } : {}),
      }))
      .filter((h) => h.bins.some((b) => b.count > 0));
  });
  const unit = meta.tokenizer ? "tokens" : "chars";
  const metrics: { key: string; value: number; format: "percent" | "number" }[] = [
    { key: "rows", value: report.counts.rows, format: "number" },
    { key: "negatives", value: report.counts.negatives, format: "number" },
    { key: "duplicateRate", value: report.duplicates.rate, format: "percent" },
    { key: "nearDuplicateQueryRate", value: report.nearDuplicateQueries.rate, format: "percent" },
    { key: "posNegMeanCosine", value: Number(report.posNeg.mean.toFixed(3)), format: "number" },
    { key: "posNegMaxCosine", value: Number(report.posNeg.max.toFixed(3)), format: "number" },
    { key: "negativesLookingPositive", value: report.posNeg.flagged.length, format: "number" },
    { key: "queryP90", value: Math.round((report.lengths.query.tokens ?? report.lengths.query.chars).p90), format: "number" },
    { key: "positiveP90", value: Math.round((report.lengths.positive.tokens ?? report.lengths.positive.chars).p90), format: "number" },
  ];
  for (const key of ["query", "positive"] as const) {
    for (const t of report.lengths[key].truncated) metrics.push({ key: `${key}TruncatedAt${t.maxLength}`, value: t.share, format: "percent" });
  }
  if (report.leakage) {
    metrics.push(
      { key: "leakedQueriesExact", value: report.leakage.queries.exact, format: "number" },
      { key: "leakedQueriesNearRate", value: report.leakage.queries.nearRate, format: "percent" },
      { key: "leakedPassagesExact", value: report.leakage.passages.exact, format: "number" },
    );
  }
  return {
    score: report.score,
    pass: report.pass,
    // value/threshold let the UI word each warning in the user's language (message is the English fallback).
    warnings: report.warnings.map((w) => ({ code: w.code, severity: w.penalty >= 15 ? "error" : w.penalty > 0 ? "warning" : "info", message: w.message, value: w.value, threshold: w.threshold, penalty: w.penalty })),
    // The near-duplicate pairs themselves, so the count can be checked (#20 item 5).
    nearDuplicates: report.nearDuplicateQueries.pairs.slice(0, NEAR_DUPLICATE_EXAMPLES).map(([i, j, similarity]) => ({
      a: meta.queries[i] ?? "", b: meta.queries[j] ?? "", similarity: Number(similarity.toFixed(3)),
    })),
    nearDuplicateClusters: report.nearDuplicateQueries.clusters.length,
    metrics,
    histograms,
    unit,
    tokenizer: meta.tokenizer ? path.basename(path.dirname(meta.tokenizer)) : null,
    sampled: meta.truncatedRows,
    computedAt: new Date().toISOString(),
  };
}
