import { open, stat } from "node:fs/promises";
import type { z } from "zod";
import { db } from "../../../db";
import type { importDatasetJob } from "../../../jobs/definitions/import-dataset";
import {
  assertSupportedFile, EvalCrossChecker, EvalSetBuilder, ImportError, type ImportIssue, type RecordFormat, type TrainingTriple,
} from "../../../lib/parsing";
import { resolveArtifact } from "../../../storage/artifacts";
import { ensureDataset } from "../datasets";
import { nextVersionNumber } from "../versions";
import { countingSource } from "./byte-source";
import { readCorpus, readDocs, readPairs, readQrels, readQueries, readRagLogs, type FileInput } from "./file-readers";
import { RecordWriter } from "./record-writer";

type Payload = z.infer<typeof importDatasetJob.payload>;

export interface ImportHooks {
  progress(fraction: number, message: string): Promise<void>;
  signal: AbortSignal;
}

/** Issues kept for the error report; counting goes on past it. */
const MAX_REPORTED_ISSUES = 200;

const pairData = (t: TrainingTriple) => ({
  query: t.query, pos: t.pos, neg: t.neg,
  ...(t.posScores ? { pos_scores: t.posScores } : {}), ...(t.negScores ? { neg_scores: t.negScores } : {}), ...(t.prompt ? { prompt: t.prompt } : {}),
});

/**
 * Imports uploaded files into a new dataset version. Everything happens inside one
 * transaction: if any row is refused, the transaction rolls back and an ImportError lists
 * the issues as `file:line: field: reason` — the database keeps nothing from the attempt.
 */
export async function runImport(payload: Payload, hooks: ImportHooks) {
  const uploads = await db.upload.findMany({ where: { id: { in: payload.files.map((f) => f.uploadId) }, workspaceId: payload.workspaceId } });
  const byId = new Map(uploads.map((u) => [u.id, u]));
  const issues: ImportIssue[] = [];
  let issueCount = 0;
  const onIssue = (issue: ImportIssue) => {
    issueCount++;
    if (issues.length < MAX_REPORTED_ISSUES) issues.push(issue);
  };

  // Resolve files and formats first: a missing upload or an archive fails before any write.
  let totalBytes = 0;
  const files = await Promise.all(payload.files.map(async (f) => {
    const upload = byId.get(f.uploadId);
    if (!upload) throw new ImportError([{ file: f.uploadId, line: null, field: "uploadId", reason: "upload not found in this workspace" }]);
    const path = resolveArtifact(upload.storagePath);
    const handle = await open(path);
    const head = new Uint8Array(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    await handle.close();
    const format = assertSupportedFile(upload.fileName, head.subarray(0, bytesRead)) as RecordFormat | "txt" | "md";
    const size = (await stat(path)).size;
    totalBytes += size;
    return { ...f, path, format, fileName: upload.fileName };
  }));

  let bytesRead = 0;
  let lastReport = 0;
  const inputFor = (role: string): FileInput | null => {
    const f = files.find((x) => x.role === role);
    if (!f) return null;
    const source = countingSource(f.path, (n) => {
      bytesRead += n;
      if (hooks.signal.aborted) throw new Error("import cancelled");
      const now = Date.now();
      if (now - lastReport > 1000) {
        lastReport = now;
        void hooks.progress(Math.min(0.95, bytesRead / Math.max(1, totalBytes)), `read ${Math.round(bytesRead / 1024)} KiB`);
      }
    });
    return { source, file: f.fileName, format: f.format, mapping: f.mapping, onIssue };
  };

  const result = await db.$transaction(async (tx) => {
    const dataset = await ensureDataset(tx, { workspaceId: payload.workspaceId, name: payload.datasetName, kind: payload.kind, userId: payload.userId });
    const number = await nextVersionNumber(tx, dataset.id);
    const version = await tx.datasetVersion.create({
      data: {
        workspaceId: payload.workspaceId, datasetId: dataset.id, number, contentHash: "", rowCount: 0, createdById: payload.userId,
        source: { kind: "import", files: files.map((f) => ({ name: f.fileName, role: f.role, format: f.format, mapping: f.mapping ?? null })) },
      },
    });
    const writer = new RecordWriter(tx, version.id);
    const extra: Record<string, number> = {};

    if (payload.kind === "TRAINING") {
      for await (const { value } of readPairs(inputFor("pairs")!)) {
        await writer.add({ type: "pair", text: `${value.query}\n${value.pos[0]}`, groupKey: value.group ?? null, data: pairData(value) });
      }
    } else if (payload.kind === "RAG_LOG") {
      const skipped = { count: 0 };
      for await (const { value } of readRagLogs(inputFor("logs")!, skipped)) {
        await writer.add({ type: "pair", text: `${value.query}\n${value.pos[0]}`, data: { ...pairData(value), source: "raglog" } });
      }
      extra.skippedWithoutFeedback = skipped.count;
    } else if (payload.kind === "DOCUMENTS") {
      for await (const { value } of readDocs(inputFor("docs")!)) {
        await writer.add({ type: "doc", key: value.id, text: value.title ? `${value.title}\n${value.text}` : value.text, data: { ...value } });
      }
    } else {
      await importEvaluation(payload, inputFor, writer, onIssue, extra);
    }

    await writer.flush();
    if (issueCount > 0) throw new ImportError(issues);
    if (writer.total === 0) throw new ImportError([{ file: files.map((f) => f.fileName).join(", "), line: null, field: null, reason: "no rows: the file holds no records" }]);
    const counts = { ...writer.counts, ...extra };
    const updated = await tx.datasetVersion.update({ where: { id: version.id }, data: { contentHash: writer.digest(), rowCount: writer.total, counts } });
    return { datasetId: dataset.id, versionId: updated.id, number: updated.number, rows: writer.total, counts };
  }, { timeout: 3_600_000, maxWait: 30_000 });

  await hooks.progress(1, `imported ${result.rows} rows as v${result.number}`);
  return result;
}

async function importEvaluation(
  payload: Payload,
  inputFor: (role: string) => FileInput | null,
  writer: RecordWriter,
  onIssue: (issue: ImportIssue) => void,
  extra: Record<string, number>,
) {
  const pairs = inputFor("pairs");
  const qrelsFile = inputFor("qrels");
  if (pairs || !qrelsFile) {
    // Pairs file, or FlagEmbedding's custom layout (corpus + queries with pos[]): relevance comes from the text.
    const builder = new EvalSetBuilder();
    if (pairs) {
      for await (const { value } of readPairs(pairs)) {
        builder.addQuery(value.query, value.pos);
        value.neg.forEach((n) => builder.addDoc(n));
      }
    } else {
      for await (const { value } of readCorpus(inputFor("corpus")!)) builder.addDoc(value.text, { id: value.id, title: value.title });
      for await (const { line, value } of readQueries(inputFor("queries")!)) {
        if ("pos" in value) builder.addQuery(value.query, value.pos);
        else onIssue({ file: "queries", line, field: "pos", reason: "without a qrels file, each query needs its relevant passages in pos[]" });
      }
    }
    const set = builder.build();
    extra.duplicatePassagesMerged = builder.duplicatePassages;
    for (const d of set.corpus) await writer.add({ type: "doc", key: d.id, text: d.title ? `${d.title}\n${d.text}` : d.text, data: { ...d } });
    for (const q of set.queries) await writer.add({ type: "query", key: q.id, text: q.text, data: { ...q } });
    for (const r of set.qrels) await writer.add({ type: "qrel", key: r.queryId, text: `${r.queryId} ${r.corpusId}`, data: { queryId: r.queryId, docId: r.corpusId, relevance: r.score } });
    return;
  }
  // BEIR: corpus and queries first, then qrels cross-checked against their ids.
  const checker = new EvalCrossChecker();
  for await (const { line, value } of readCorpus(inputFor("corpus")!)) {
    checker.addCorpusId(value.id, { file: "corpus", line });
    await writer.add({ type: "doc", key: value.id, text: value.title ? `${value.title}\n${value.text}` : value.text, data: { ...value } });
  }
  const queries = inputFor("queries")!;
  for await (const { line, value } of readQueries(queries)) {
    if ("pos" in value) {
      onIssue({ file: queries.file, line, field: "_id", reason: "with a qrels file, queries must be BEIR rows {_id, text}" });
      continue;
    }
    checker.addQueryId(value.id, { file: queries.file, line });
    await writer.add({ type: "query", key: value.id, text: value.text, data: { ...value } });
  }
  for await (const { line, value } of readQrels(qrelsFile)) {
    checker.addQrel(value, { file: qrelsFile.file, line });
    await writer.add({ type: "qrel", key: value.queryId, text: `${value.queryId} ${value.corpusId}`, data: { queryId: value.queryId, docId: value.corpusId, relevance: value.score } });
  }
  checker.issues.forEach(onIssue);
  extra.queriesWithoutRelevant = checker.queriesWithoutRelevant().length;
}
