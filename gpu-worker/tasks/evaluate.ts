import path from "node:path";
import { evaluatePayload, type EvaluatePayload } from "~/server/jobs/definitions/evaluate";
import { throttleProgress } from "../inference/progress";
import { runEvaluation } from "../inference/run-evaluation";
import type { JobHandler } from "./types";

/**
 * `evaluate` job: validates the payload, resolves its artifact-relative paths, runs the evaluation
 * (gpu-worker/inference/run-evaluation.ts) with throttled progress, and returns the summary.
 */
export function makeEvaluateHandler(opts: { artifactsDir?: string } = {}): JobHandler<EvaluatePayload> {
  return async (ctx) => {
    const p = evaluatePayload.parse(ctx.payload);
    const root = path.resolve(opts.artifactsDir ?? process.env.ARTIFACTS_DIR ?? ".data/artifacts");
    const at = (rel: string) => path.join(root, rel);
    const progress = throttleProgress((f, m) => ctx.progress(f, m));
    await ctx.log(`evaluate: ${p.models.map((m) => m.label).join(" vs ")}, modes ${p.modes.join(", ")}`);
    const { summary } = await runEvaluation(
      {
        models: p.models.map((m) => ({ label: m.label, dir: at(m.dir) })),
        data: "dir" in p.data ? { dir: at(p.data.dir), split: p.data.split } : { corpus: at(p.data.corpus), queries: at(p.data.queries), qrels: at(p.data.qrels) },
        modes: p.modes,
        queryMaxLength: p.queryMaxLength,
        passageMaxLength: p.passageMaxLength,
        glossary: p.glossary,
        projection: p.projection,
        output: at(p.output),
        runDir: p.runDir ? at(p.runDir) : undefined,
        cacheDir: p.cacheDir ? at(p.cacheDir) : undefined,
        backend: p.backend,
        precision: p.precision,
        threads: p.threads,
        seed: p.seed,
      },
      { progress, log: (l) => ctx.log(l), signal: ctx.signal },
    );
    return { ...summary, output: p.output };
  };
}

export const runEvaluate: JobHandler<EvaluatePayload> = makeEvaluateHandler();
