import { readFileSync } from "node:fs";
import { runEvaluation } from "../inference/run-evaluation";
import type { SearchMode } from "../inference/search";

/**
 * `m3 eval --model DIR [--tuned DIR] (--data DIR [--split test] | --corpus F --queries F --qrels F)
 *   --output report.json [--modes dense,sparse,colbert,hybrid,rrf] [--run-dir D] [--cache-dir D]
 *   [--glossary terms.txt] [--projection pca|tsne|umap] [--backend onnxruntime|torch] [--precision fp32|int8] [--threads N]
 *   [--query-max-length 128] [--passage-max-length 512]`
 * Same function as the `evaluate` job. Prints the summary JSON; progress goes to stderr.
 */
export async function evalCommand(v: Record<string, string | boolean | string[] | undefined>): Promise<unknown> {
  const s = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const model = s("model");
  const output = s("output");
  if (!model || !output || (!s("data") && !(s("corpus") && s("queries") && s("qrels"))))
    throw new Error("usage: m3 eval --model DIR [--tuned DIR] (--data DIR [--split test] | --corpus F --queries F --qrels F) --output FILE");
  const models = [{ label: s("tuned") ? "base" : "model", dir: model }];
  if (s("tuned")) models.push({ label: "tuned", dir: s("tuned")! });
  const glossaryFile = s("glossary");
  const { summary } = await runEvaluation(
    {
      models,
      data: s("data") ? { dir: s("data")!, split: s("split") } : { corpus: s("corpus")!, queries: s("queries")!, qrels: s("qrels")! },
      modes: (s("modes") ?? "dense").split(",") as SearchMode[],
      output,
      runDir: s("run-dir"),
      cacheDir: s("cache-dir"),
      glossary: glossaryFile ? readFileSync(glossaryFile, "utf8").split(/\r?\n/).filter((l) => l.trim()) : undefined,
      projection: s("projection") ? { method: s("projection") as "pca" | "tsne" | "umap" } : undefined,
      backend: s("backend") as "onnxruntime" | "torch" | undefined,
      precision: s("precision") as "fp32" | "int8" | undefined,
      threads: s("threads") ? Number(s("threads")) : undefined,
      queryMaxLength: s("query-max-length") ? Number(s("query-max-length")) : undefined,
      passageMaxLength: s("passage-max-length") ? Number(s("passage-max-length")) : undefined,
    },
    { progress: (f, m) => void process.stderr.write(`[${(f * 100).toFixed(0)}%] ${m}\n`), log: (l) => void process.stderr.write(`${l}\n`) },
  );
  return summary;
}
