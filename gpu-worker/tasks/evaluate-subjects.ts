import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { evaluateSubjectsPayload } from "~/server/jobs/definitions/evaluate-subjects";
import { PermanentJobError } from "~/server/jobs/types";
import { db } from "~/server/db";
import {
  finishEvaluation, latestResults, materializeEvalVersion, saveEvaluationResult, type Subject,
} from "~/server/services/experiments/evaluations";
import { workingModelFolder } from "~/server/services/models/folder-access";
import { subjectDir } from "~/server/services/models/registry";
import { artifactsRoot } from "~/server/storage/artifacts";
import { runEvaluation } from "../inference/run-evaluation";
import type { SearchMode } from "../inference/search";
import type { JobHandler } from "./types";

const GPU_WORKER = path.resolve(import.meta.dirname, "..");
export const PYTHON = () => process.env.M3_PYTHON ?? "/usr/bin/python3";

/** Runs `python3 -m trainer <args>` in gpu-worker/, killing it on abort; rejects on a non-zero exit. */
export function runTrainerCommand(args: string[], signal: AbortSignal, onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON(), ["-m", "trainer", ...args], { cwd: GPU_WORKER, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } });
    let err = "";
    child.stdout.on("data", (c: Buffer) => c.toString().split("\n").filter(Boolean).forEach((l) => onLine?.(l)));
    child.stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    const onAbort = () => child.kill("SIGTERM");
    signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", reject);
    child.on("exit", (code) => {
      signal.removeEventListener("abort", onAbort);
      if (code === 0) resolve();
      else reject(new Error(`trainer ${args[0]} exited with ${code}: ${err.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
}

/**
 * Exports onnx/model.onnx into a model folder when it has none (needed by the ORT inference engine).
 * Give it a working folder (folder-access.ts workingModelFolder), never a registered folder.
 */
export async function ensureOnnx(dir: string, signal: AbortSignal) {
  if (existsSync(path.join(dir, "onnx", "model.onnx"))) return;
  await runTrainerCommand(["export", "--model", dir], signal);
}

const HEADLINE = ["ndcg@10", "mrr@10", "recall@10", "P@10", "map@10", "ndcg@5", "recall@100"];

/**
 * Scores each subject on an evaluation version, one model at a time (run-evaluation.ts), and stores the
 * per-mode results. Returns each subject's headline metrics per mode. Subjects with results on this version
 * already (and `reuse`) are skipped — base models are scored once per evaluation version.
 */
export async function evaluateSubjects(opts: {
  workspaceId: string; evaluationId: string; evalVersionId: string; subjects: Subject[]; modes: SearchMode[];
  workDir: string; signal: AbortSignal; reuseBase?: boolean;
  progress: (f: number, msg: string) => Promise<void>; log: (line: string) => Promise<void>;
}): Promise<Map<string, Record<string, Record<string, number>>>> {
  const files = await materializeEvalVersion(opts.evalVersionId);
  const root = artifactsRoot();
  const out = new Map<string, Record<string, Record<string, number>>>();
  for (const [i, subject] of opts.subjects.entries()) {
    if (opts.signal.aborted) throw new Error("aborted");
    if (subject.kind === "base" && opts.reuseBase) {
      const prior = await latestResults(opts.evalVersionId, [subject]);
      if (prior.length >= opts.modes.length && opts.modes.every((m) => prior.some((p) => p.mode === m))) {
        out.set(`${subject.kind}:${subject.id}`, Object.fromEntries(prior.map((p) => [p.mode, p.mean as Record<string, number>])));
        continue;
      }
    }
    // A base model is read through the workspace's derived folder, so its ONNX export never lands in the registered folder.
    const dir = await workingModelFolder(opts.workspaceId, await subjectDir({ workspaceId: opts.workspaceId, kind: subject.kind, id: subject.id }));
    await opts.progress(i / opts.subjects.length, `exporting ${subject.label}`);
    await ensureOnnx(dir, opts.signal);
    await opts.log(`evaluating ${subject.label} (${opts.modes.join(", ")})`);
    const { report } = await runEvaluation(
      {
        models: [{ label: subject.label.replace(/[^\w.-]/g, "_"), dir }],
        data: { corpus: path.join(root, files.corpus), queries: path.join(root, files.queries), qrels: path.join(root, files.qrels) },
        modes: opts.modes, queryMaxLength: 64, passageMaxLength: 512,
        output: path.join(opts.workDir, `eval-${i}.json`),
        cacheDir: path.join(root, "cache", "embeddings"),
        projection: { method: "pca", maxPoints: 300 },
      },
      { signal: opts.signal, progress: (f, m) => opts.progress((i + f) / opts.subjects.length, `${subject.label}: ${m}`) },
    );
    const model = report.models[0]!;
    const summary: Record<string, Record<string, number>> = {};
    for (const [mode, r] of Object.entries(model.modes)) {
      await saveEvaluationResult({
        evaluationId: opts.evaluationId, evalVersionId: opts.evalVersionId, subject, mode, mean: r.mean, perQuery: r.perQuery,
        errorAnalysis: r.errorAnalysis, projection: mode === "dense" ? model.projection : undefined,
      });
      summary[mode] = Object.fromEntries(HEADLINE.map((k) => [k, r.mean[k] ?? 0]));
    }
    out.set(`${subject.kind}:${subject.id}`, summary);
    await opts.log(`${subject.label}: dense nDCG@10 ${summary.dense?.["ndcg@10"]?.toFixed(4) ?? "-"}`);
  }
  return out;
}

/** The `evaluate_subjects` job: a user-launched evaluation from the Evaluations page. */
export const runEvaluateSubjects: JobHandler<unknown> = async (ctx) => {
  const p = evaluateSubjectsPayload.parse(ctx.payload);
  const ev = await db.evaluation.findFirst({ where: { id: p.evaluationId, workspaceId: p.workspaceId } });
  if (!ev) throw new PermanentJobError("evaluation not found");
  await db.evaluation.update({ where: { id: ev.id }, data: { status: "RUNNING", jobId: ctx.jobId } });
  try {
    const result = await evaluateSubjects({
      workspaceId: p.workspaceId, evaluationId: ev.id, evalVersionId: ev.evalVersionId, subjects: ev.subjects as unknown as Subject[],
      modes: ev.modes as SearchMode[], workDir: ctx.workDir, signal: ctx.signal, progress: ctx.progress, log: (l) => ctx.log(l),
    });
    await finishEvaluation(ev.id, "SUCCEEDED");
    return { subjects: Object.fromEntries(result) };
  } catch (e) {
    const why = ctx.signal.aborted ? (ctx.signal.reason as Error | undefined)?.message : null;
    await finishEvaluation(ev.id, why === "cancelled" ? "CANCELLED" : why === "shutdown" ? "FAILED" : "FAILED", (e as Error).message).catch(() => undefined);
    throw e;
  }
};
