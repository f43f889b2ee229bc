import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ACCURACY_MAX_QUERIES, relativeDelta, type AccuracyMetrics } from "../../server/services/deployments/accuracy";
import { materializeEvalVersion } from "../../server/services/experiments/evaluations";
import { artifactsRoot } from "../../server/storage/artifacts";
import type { ServingDevice } from "../../server/lib/serving-device";
import { runEvaluation } from "../inference/run-evaluation";

const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter((l) => l.trim());

/**
 * The cost of a quantised precision (int8, or fp16: the same gate) on an evaluation version: dense retrieval with
 * the fp32 graph and with the quantised graph of the same model folder, on the whole corpus and up to `maxQueries` judged queries (a deterministic
 * hash-ordered sample, so reruns measure the same queries). Returns nDCG@10 and MRR@10 of both.
 */
export async function measureQuantizedCost(opts: {
  precision: "int8" | "fp16"; modelDir: string;
  /** Where the deployment serves it: the quantised side is measured there (fp16 on PyTorch CUDA is measured on PyTorch CUDA). */
  device?: ServingDevice; evalVersionId: string; workDir: string; signal: AbortSignal; maxQueries?: number;
  log: (line: string) => Promise<void>;
}): Promise<{ queries: number; documents: number; fp32: AccuracyMetrics; int8: AccuracyMetrics; deltaPct: AccuracyMetrics }> {
  const files = await materializeEvalVersion(opts.evalVersionId);
  const root = artifactsRoot();
  const qrels = lines(path.join(root, files.qrels)).map((l) => JSON.parse(l) as { qid: string });
  const judged = [...new Set(qrels.map((q) => String(q.qid)))];
  const order = (id: string) => createHash("sha1").update(id).digest("hex");
  const keep = new Set(judged.sort((a, b) => order(a).localeCompare(order(b))).slice(0, opts.maxQueries ?? ACCURACY_MAX_QUERIES));
  const dir = path.join(opts.workDir, "accuracy-check");
  mkdirSync(dir, { recursive: true });
  const subset = {
    corpus: path.join(root, files.corpus),
    queries: path.join(dir, "test_queries.jsonl"),
    qrels: path.join(dir, "test_qrels.jsonl"),
  };
  writeFileSync(subset.queries, lines(path.join(root, files.queries)).filter((l) => keep.has(String((JSON.parse(l) as { id: string }).id))).join("\n") + "\n");
  writeFileSync(subset.qrels, lines(path.join(root, files.qrels)).filter((l) => keep.has(String((JSON.parse(l) as { qid: string }).qid))).join("\n") + "\n");

  const measure = async (precision: "fp32" | "int8" | "fp16") => {
    await opts.log(`accuracy check: ${precision} on ${keep.size} queries`);
    const { report } = await runEvaluation(
      {
        models: [{ label: precision, dir: opts.modelDir }], data: subset, modes: ["dense"], precision,
        ...(precision !== "fp32" && opts.device ? { backend: opts.device.backend, device: opts.device.device, dtype: opts.device.dtype, executionProviders: opts.device.executionProviders } : {}),
        queryMaxLength: 64, passageMaxLength: 512, output: path.join(dir, `${precision}.json`),
      },
      { signal: opts.signal },
    );
    const mean = report.models[0]!.modes.dense!.mean;
    return { documents: report.data.documents, metrics: { "ndcg@10": mean["ndcg@10"] ?? 0, "mrr@10": mean["mrr@10"] ?? 0 } };
  };
  const fp32 = await measure("fp32");
  const int8 = await measure(opts.precision); // stored as `int8` (AccuracyCheck keeps the field name)
  return { queries: keep.size, documents: fp32.documents, fp32: fp32.metrics, int8: int8.metrics, deltaPct: relativeDelta(fp32.metrics, int8.metrics) };
}
