import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { enqueueJob } from "../../jobs/enqueue";
import { resolveArtifact } from "../../storage/artifacts";

/**
 * Evaluations: which subjects (base models, checkpoints) were scored on which evaluation version, and
 * their stored results. Per-query values are kept columnar ({ids, values: {metric: number[]}}) for the
 * headline metrics only, so a 5,000-query evaluation is a few hundred KB per mode.
 */
export type SubjectKind = "base" | "checkpoint";
export interface Subject {
  kind: SubjectKind;
  id: string;
  label: string;
}

export const PER_QUERY_METRICS = ["ndcg@10", "mrr@10", "recall@10", "P@10", "map@10", "mrr@100"] as const;
export const DEFAULT_MODES = ["dense", "sparse", "colbert", "hybrid"] as const;

export interface PerQuery {
  ids: string[];
  values: Record<string, number[]>;
}

/**
 * Writes an evaluation version as FlagEmbedding-layout files (corpus.jsonl, test_queries.jsonl,
 * test_qrels.jsonl) under `evalsets/<versionId>/`. Versions are immutable, so the files are written once.
 */
export async function materializeEvalVersion(versionId: string): Promise<{ corpus: string; queries: string; qrels: string }> {
  const rel = `evalsets/${versionId}`;
  const dir = resolveArtifact(rel);
  const files = { corpus: `${rel}/corpus.jsonl`, queries: `${rel}/test_queries.jsonl`, qrels: `${rel}/test_qrels.jsonl` };
  if (existsSync(path.join(dir, "test_qrels.jsonl"))) return files;
  await mkdir(dir, { recursive: true });
  const lines: Record<string, string[]> = { doc: [], query: [], qrel: [] };
  const batch = 5000;
  let after = BigInt(0);
  for (;;) {
    const rows = await db.datasetRecord.findMany({ where: { versionId, id: { gt: after } }, orderBy: { id: "asc" }, take: batch, select: { id: true, type: true, data: true } });
    if (rows.length === 0) break;
    for (const r of rows) {
      const d = r.data as Record<string, unknown>;
      if (r.type === "doc") lines.doc!.push(JSON.stringify({ id: d.id, title: d.title ?? "", text: d.text }));
      else if (r.type === "query") lines.query!.push(JSON.stringify({ id: d.id, text: d.text }));
      else if (r.type === "qrel") lines.qrel!.push(JSON.stringify({ qid: d.queryId, docid: d.docId, relevance: d.relevance ?? 1 }));
    }
    after = rows[rows.length - 1]!.id;
  }
  if (lines.qrel!.length === 0) throw new AppError("BAD_REQUEST", "The evaluation version has no relevance judgements.", "evalVersionId");
  const put = async (name: string, content: string[]) => {
    const tmp = path.join(dir, `.tmp-${name}`);
    await writeFile(tmp, content.join("\n") + "\n");
    await rename(tmp, path.join(dir, name));
  };
  await put("corpus.jsonl", lines.doc!);
  await put("test_queries.jsonl", lines.query!);
  await put("test_qrels.jsonl", lines.qrel!); // last: its presence marks the set complete
  return files;
}

export async function createEvaluationRow(opts: { workspaceId: string; name: string; evalVersionId: string; subjects: Subject[]; modes: string[]; experimentId?: string | null; userId?: string | null }) {
  return db.evaluation.create({
    data: {
      workspaceId: opts.workspaceId, name: opts.name, evalVersionId: opts.evalVersionId, subjects: opts.subjects as object[], modes: opts.modes,
      experimentId: opts.experimentId ?? null, createdById: opts.userId ?? null, status: "RUNNING",
    },
  });
}

/** A user-launched evaluation of base models and/or checkpoints (the `evaluate_subjects` job). */
export async function startEvaluation({ workspaceId, userId, name, evalVersionId, subjects, modes }: { workspaceId: string; userId: string; name: string; evalVersionId: string; subjects: Array<{ kind: SubjectKind; id: string }>; modes: string[] }) {
  const ev = await db.datasetVersion.findFirst({ where: { id: evalVersionId, workspaceId }, include: { dataset: { select: { kind: true } } } });
  if (!ev || ev.dataset.kind !== "EVALUATION") throw new AppError("BAD_REQUEST", "Pick a version of an evaluation dataset.", "evalVersionId");
  const labelled: Subject[] = [];
  for (const s of subjects) {
    if (s.kind === "base") {
      const m = await db.baseModel.findFirst({ where: { id: s.id, workspaceId } });
      if (!m) throw new AppError("BAD_REQUEST", "Unknown base model.", "subjects");
      labelled.push({ kind: "base", id: m.id, label: m.name });
    } else {
      const c = await db.checkpoint.findFirst({ where: { id: s.id, workspaceId } });
      if (!c) throw new AppError("BAD_REQUEST", "Unknown checkpoint.", "subjects");
      labelled.push({ kind: "checkpoint", id: c.id, label: `step-${c.step}` });
    }
  }
  return db.$transaction(async (tx) => {
    const row = await tx.evaluation.create({
      data: { workspaceId, name, evalVersionId, subjects: labelled as object[], modes, createdById: userId, status: "QUEUED" },
    });
    const job = await enqueueJob({ type: "evaluate_subjects", workspaceId, payload: { workspaceId, evaluationId: row.id } }, tx);
    return tx.evaluation.update({ where: { id: row.id }, data: { jobId: job.id } });
  });
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Stores one subject × mode result; a re-run of the same evaluation overwrites it. */
export async function saveEvaluationResult(opts: {
  evaluationId: string; evalVersionId: string; subject: Subject; mode: string; mean: Record<string, number>;
  perQuery: Record<string, Record<string, number>>; errorAnalysis?: unknown; projection?: unknown;
}) {
  const ids = Object.keys(opts.perQuery);
  const values: Record<string, number[]> = {};
  for (const m of PER_QUERY_METRICS) values[m] = ids.map((q) => round4(opts.perQuery[q]![m] ?? 0));
  const data = {
    mean: opts.mean, perQuery: { ids, values } as object,
    errorAnalysis: (opts.errorAnalysis ?? undefined) as object | undefined, projection: (opts.projection ?? undefined) as object | undefined,
  };
  await db.evaluationResult.upsert({
    where: { evaluationId_subjectKind_subjectId_mode: { evaluationId: opts.evaluationId, subjectKind: opts.subject.kind, subjectId: opts.subject.id, mode: opts.mode } },
    create: { evaluationId: opts.evaluationId, evalVersionId: opts.evalVersionId, subjectKind: opts.subject.kind, subjectId: opts.subject.id, mode: opts.mode, ...data },
    update: data,
  });
}

export async function finishEvaluation(evaluationId: string, status: "SUCCEEDED" | "FAILED" | "CANCELLED", error?: string) {
  await db.evaluation.update({ where: { id: evaluationId }, data: { status, error: error ?? null, finishedAt: new Date() } });
}

export async function listEvaluations({ workspaceId }: { workspaceId: string }) {
  const rows = await db.evaluation.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 200 });
  const versions = await db.datasetVersion.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.evalVersionId))] } }, select: { id: true, number: true, dataset: { select: { name: true } } } });
  const vBy = new Map(versions.map((v) => [v.id, `${v.dataset.name} v${v.number}`]));
  const results = await db.evaluationResult.findMany({
    where: { evaluationId: { in: rows.map((r) => r.id) }, mode: "dense" },
    select: { evaluationId: true, subjectKind: true, subjectId: true, mean: true },
  });
  return rows.map((r) => ({
    ...r,
    evalVersionName: vBy.get(r.evalVersionId) ?? r.evalVersionId,
    dense: results.filter((x) => x.evaluationId === r.id).map((x) => ({ kind: x.subjectKind, id: x.subjectId, ndcg10: (x.mean as Record<string, number>)["ndcg@10"] ?? null, mrr10: (x.mean as Record<string, number>)["mrr@10"] ?? null })),
  }));
}

/** The newest stored result of each subject on an evaluation version, per mode. */
export async function latestResults(evalVersionId: string, subjects: Array<{ kind: SubjectKind; id: string }>) {
  if (subjects.length === 0) return [];
  const rows = await db.evaluationResult.findMany({
    where: { evalVersionId, OR: subjects.map((s) => ({ subjectKind: s.kind, subjectId: s.id })) },
    orderBy: { createdAt: "desc" },
  });
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = `${r.subjectKind}:${r.subjectId}:${r.mode}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
