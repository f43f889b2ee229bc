import { setTimeout as wait } from "node:timers/promises";
import { claimAccuracyCheck, saveAccuracyCheck, type AccuracyCheck } from "../../server/services/deployments/accuracy";
import type { ServingDevice } from "../../server/lib/serving-device";
import { measureQuantizedCost } from "./accuracy-check";

/**
 * Makes sure the accuracy check (int8 or fp16) of `modelDir` exists: the first replica to get here measures it
 * (the quantised graph vs fp32 on the evaluation version) and stores it on the deployment; the others wait for that
 * result. Without an evaluation version the check is recorded as skipped (cost unknown); an error is
 * recorded as failed. Either way "Go live" then needs an explicit acknowledgement. `modelDir` names the model
 * (the check is keyed by it); `filesDir` is its working folder holding the fp32 and quantised graphs.
 */
export async function runAccuracyCheck(opts: {
  deploymentId: string; precision: "int8" | "fp16"; device?: ServingDevice; modelDir: string; filesDir: string; evalVersionId: string | null; jobId: string; workDir: string; signal: AbortSignal;
  log: (line: string) => Promise<void>;
}): Promise<AccuracyCheck> {
  for (;;) {
    const { mine, check } = await claimAccuracyCheck(opts.deploymentId, opts.modelDir, opts.jobId, opts.evalVersionId, opts.precision);
    if (mine && check) return measure(check, opts);
    if (check && check.modelDir === opts.modelDir && check.status !== "running") return check;
    await wait(1000, undefined, { signal: opts.signal });
  }
}

async function measure(check: AccuracyCheck, opts: Parameters<typeof runAccuracyCheck>[0]): Promise<AccuracyCheck> {
  let result: AccuracyCheck;
  if (!opts.evalVersionId) {
    result = { ...check, status: "skipped", reason: `no evaluation version: choose one when deploying to measure the ${opts.precision} cost` };
  } else {
    try {
      const m = await measureQuantizedCost({ precision: opts.precision, device: opts.device, modelDir: opts.filesDir, evalVersionId: opts.evalVersionId, workDir: opts.workDir, signal: opts.signal, log: opts.log });
      result = { ...check, status: "done", ...m };
    } catch (error) {
      if (opts.signal.aborted) throw error;
      result = { ...check, status: "failed", reason: (error as Error).message.slice(0, 300) };
    }
  }
  result.finishedAt = new Date().toISOString();
  await saveAccuracyCheck(opts.deploymentId, result);
  const f = (x: number) => x.toFixed(4);
  await opts.log(result.status === "done"
    ? `accuracy check: ${opts.precision} nDCG@10 ${f(result.int8!["ndcg@10"])} vs fp32 ${f(result.fp32!["ndcg@10"])} (${result.deltaPct!["ndcg@10"].toFixed(1)}%), MRR@10 ${f(result.int8!["mrr@10"])} vs ${f(result.fp32!["mrr@10"])} on ${result.queries} queries`
    : `accuracy check ${result.status}: ${result.reason}`);
  return result;
}
