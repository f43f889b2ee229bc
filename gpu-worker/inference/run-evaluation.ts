import { compareEvaluations, type MetricComparison } from "~/server/lib/metrics/compare";
import { domainTermRecall, type DomainTermRecall } from "~/server/lib/metrics/domain-terms";
import { analyzeErrors, type ErrorAnalysis } from "~/server/lib/metrics/error-analysis";
import { evaluateRun, type RunEvaluation } from "~/server/lib/metrics/evaluate";
import { pca2d, type Projection2D } from "~/server/lib/metrics/projection-pca";
import { tsne2d } from "~/server/lib/metrics/projection-tsne";
import { umap2d } from "~/server/lib/metrics/projection-umap";
import { formatTrecRun } from "~/server/lib/metrics/trec";
import type { MetricValues } from "~/server/lib/metrics/types";
import { writeFileAtomic } from "./atomic-write";
import { modelFingerprint } from "./embedding-cache";
import { loadEvalData, resolveEvalFiles, type EvalFiles } from "./eval-data";
import { loadEncoder } from "./load";
import { buildCorpusIndex, searchCorpus, type SearchMode } from "./search";

/**
 * One evaluation: for each model (one, or two for base-vs-tuned), encode the corpus (cached), search every
 * judged query with each mode, score per the metric contract, run error analysis and domain-term recall,
 * and — with two models — compare them per mode (deltas, relative %, randomization p, bootstrap CI).
 * Writes the full report as JSON atomically and returns a small summary.
 */
export interface EvaluationParams {
  models: Array<{ label: string; dir: string }>;
  data: { dir: string; split?: string } | EvalFiles;
  modes?: SearchMode[];
  queryMaxLength?: number;
  passageMaxLength?: number;
  /** Depth of each run (≥ the largest cutoff, 100). */
  depth?: number;
  glossary?: string[];
  projection?: { method: "pca" | "tsne" | "umap"; maxPoints?: number };
  output: string;
  /** Optional folder for TREC run files, one per model and mode. */
  runDir?: string;
  cacheDir?: string;
  backend?: "onnxruntime" | "torch";
  /** onnxruntime graph: fp32 (default, parity-tested) or the dynamic int8 export. */
  precision?: "fp32" | "int8" | "fp16";
  /** Where the encoder runs (server/lib/serving-device.ts): the torch backend's device and dtype, onnxruntime's providers. */
  device?: "cpu" | "cuda";
  dtype?: "fp32" | "fp16" | "bf16";
  executionProviders?: string[];
  threads?: number;
  maxBatchTokens?: number;
  seed?: number;
}

export interface EvaluationHooks {
  progress?: (fraction: number, message: string) => Promise<void> | void;
  log?: (line: string) => Promise<void> | void;
  signal?: AbortSignal;
}

interface ModeReport {
  mean: MetricValues;
  perQuery: Record<string, MetricValues>;
  errorAnalysis: ErrorAnalysis;
  domainTermRecall?: DomainTermRecall;
  runFile?: string;
}

export interface EvaluationReport {
  metricContract: string;
  data: { files: EvalFiles; documents: number; queries: number; queriesWithoutRelevant: string[]; truncatedDocuments: number; truncatedQueries: number };
  models: Array<{ label: string; dir: string; modes: Record<string, ModeReport>; projection?: Projection2D & { method: string; docIds: string[] } }>;
  comparison?: Record<string, MetricComparison[]>;
}

export const METRIC_CONTRACT =
  "nDCG@k linear gain (trec_eval); MAP@k divided by R; MRR@k, Recall@k, P@k, hit@k; relevant = grade ≥ 1; " +
  "mean over every query of the qrels, a query with no relevant document or absent from the run scores 0 (trec_eval -c); " +
  "ties by document id descending (trec_eval).";

export async function runEvaluation(p: EvaluationParams, hooks: EvaluationHooks = {}): Promise<{ report: EvaluationReport; summary: Record<string, unknown> }> {
  if (p.models.length < 1 || p.models.length > 2) throw new Error("evaluate takes one model, or two (base and tuned)");
  const files = "corpus" in p.data ? p.data : resolveEvalFiles(p.data.dir, p.data.split);
  const data = loadEvalData(files);
  const modes = p.modes ?? ["dense"];
  const needSparse = modes.some((m) => m === "sparse" || m === "hybrid" || m === "rrf");
  const queryText = new Map(data.queries.map((q) => [q.id, q.text]));
  const report: EvaluationReport = {
    metricContract: METRIC_CONTRACT,
    data: { files, documents: data.corpus.length, queries: data.queries.length, queriesWithoutRelevant: [], truncatedDocuments: 0, truncatedQueries: 0 },
    models: [],
  };
  const evals: Array<Record<string, RunEvaluation>> = [];
  const total = p.models.length;
  for (const [mi, model] of p.models.entries()) {
    const base = mi / total;
    await hooks.progress?.(base, `loading ${model.label}`);
    const { encoder, maxLength } = await loadEncoder(model.dir, { backend: p.backend, precision: p.precision, device: p.device, dtype: p.dtype, executionProviders: p.executionProviders, threads: p.threads, maxBatchTokens: p.maxBatchTokens });
    try {
      const passageMax = Math.min(p.passageMaxLength ?? 512, maxLength);
      const queryMax = Math.min(p.queryMaxLength ?? 128, maxLength);
      const index = await buildCorpusIndex(encoder, data.corpus, {
        maxLength: passageMax,
        sparse: needSparse,
        corpusFile: files.corpus,
        cache: p.cacheDir ? { dir: p.cacheDir, model: modelFingerprint(model.dir) } : undefined,
        signal: hooks.signal,
        onProgress: (done, n) => hooks.progress?.(base + (0.8 * done) / n / total, `${model.label}: encoded ${done}/${n} documents`),
      });
      report.data.truncatedDocuments = Math.max(report.data.truncatedDocuments, index.truncated);
      if (index.truncated > 0) await hooks.log?.(`${model.label}: ${index.truncated} documents truncated to ${passageMax} tokens`);
      const modeReports: Record<string, ModeReport> = {};
      const modeEvals: Record<string, RunEvaluation> = {};
      for (const [j, mode] of modes.entries()) {
        await hooks.progress?.(base + (0.8 + (0.2 * j) / modes.length) / total, `${model.label}: searching (${mode})`);
        const { run, queryTruncated } = await searchCorpus(encoder, index, data.queries, {
          mode,
          k: p.depth ?? 100,
          queryMaxLength: queryMax,
          threads: p.threads,
          signal: hooks.signal,
        });
        report.data.truncatedQueries = Math.max(report.data.truncatedQueries, queryTruncated);
        const ev = evaluateRun(data.qrels, run);
        report.data.queriesWithoutRelevant = ev.queriesWithoutRelevant;
        modeEvals[mode] = ev;
        let runFile: string | undefined;
        if (p.runDir) {
          runFile = `${p.runDir}/${model.label}.${mode}.trec`;
          writeFileAtomic(runFile, formatTrecRun(run, `${model.label}-${mode}`));
        }
        modeReports[mode] = {
          mean: ev.mean,
          perQuery: Object.fromEntries(ev.perQuery),
          errorAnalysis: analyzeErrors(data.qrels, run, { queryText: (q) => queryText.get(q) }),
          domainTermRecall: p.glossary?.length ? domainTermRecall(ev, queryText, p.glossary, 10) : undefined,
          runFile,
        };
      }
      const entry: EvaluationReport["models"][number] = { label: model.label, dir: model.dir, modes: modeReports };
      if (p.projection) {
        // Exact t-SNE is O(n²) in time and memory: at most 1,000 points; PCA and UMAP take maxPoints.
        const cap = p.projection.method === "tsne" ? 1000 : Infinity;
        const n = Math.min(index.ids.length, p.projection.maxPoints ?? 500, cap);
        const sub = index.dense.subarray(0, n * index.dim);
        const proj =
          p.projection.method === "pca" ? pca2d(sub, n, index.dim)
          : p.projection.method === "tsne" ? tsne2d(sub, n, index.dim, { seed: p.seed })
          : umap2d(sub, n, index.dim, { seed: p.seed });
        entry.projection = { ...proj, method: p.projection.method, docIds: index.ids.slice(0, n) };
      }
      report.models.push(entry);
      evals.push(modeEvals);
    } finally {
      await encoder.backend.close();
    }
  }
  if (evals.length === 2) {
    report.comparison = Object.fromEntries(modes.map((m) => [m, compareEvaluations(evals[0]![m]!, evals[1]![m]!, { seed: p.seed })]));
  }
  writeFileAtomic(p.output, JSON.stringify(report));
  await hooks.progress?.(1, "done");
  const headline = ["ndcg@10", "mrr@10", "recall@10", "P@10", "map@10", "hit@10"];
  return {
    report,
    summary: {
      output: p.output,
      documents: data.corpus.length,
      queries: data.queries.length,
      models: report.models.map((m) => ({
        label: m.label,
        modes: Object.fromEntries(Object.entries(m.modes).map(([mode, r]) => [mode, Object.fromEntries(headline.map((k) => [k, r.mean[k]]))])),
      })),
    },
  };
}
