import { runMining } from "../inference/run-mining";

/**
 * `m3 mine --model DIR --input train.jsonl --output mined.jsonl [--pool pool.jsonl] [--range 10-210]
 *   [--negatives 15] [--fn-ratio 0.95|none] [--teacher-scores] [--seed 42] [--query-instruction TEXT]
 *   [--backend onnxruntime|torch] [--precision fp32|int8] [--threads N]`
 * Same function as the `mine_negatives` job. Prints the summary JSON.
 */
export async function mineCommand(v: Record<string, string | boolean | string[] | undefined>): Promise<unknown> {
  const s = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const [model, input, output] = [s("model"), s("input"), s("output")];
  if (!model || !input || !output) throw new Error("usage: m3 mine --model DIR --input FILE --output FILE");
  const range = (s("range") ?? "10-210").split("-").map(Number);
  if (range.length !== 2 || range.some((x) => !Number.isInteger(x))) throw new Error(`--range must look like 10-210, got ${s("range")}`);
  const fn = s("fn-ratio");
  const { summary } = await runMining(
    {
      modelDir: model,
      input,
      output,
      candidatePool: s("pool"),
      rangeStart: range[0],
      rangeEnd: range[1],
      negatives: s("negatives") ? Number(s("negatives")) : undefined,
      falseNegativeRatio: fn === "none" ? null : fn ? Number(fn) : undefined,
      teacherScores: v["teacher-scores"] === true,
      seed: s("seed") ? Number(s("seed")) : undefined,
      queryInstruction: s("query-instruction"),
      backend: s("backend") as "onnxruntime" | "torch" | undefined,
      precision: s("precision") as "fp32" | "int8" | undefined,
      threads: s("threads") ? Number(s("threads")) : undefined,
    },
    { progress: (f, m) => void process.stderr.write(`[${(f * 100).toFixed(0)}%] ${m}\n`) },
  );
  return summary;
}
