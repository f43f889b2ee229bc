#!/usr/bin/env -S npx tsx
/**
 * m3 — headless command line for the inference and evaluation engine.
 *   m3 metrics --qrels QRELS --run RUN [--run RUN2] [--per-query]
 *   m3 eval    --model DIR [--tuned DIR] --data DIR --output report.json [...]
 *   m3 mine    --model DIR --input train.jsonl --output mined.jsonl [...]
 *   m3 import  FILE [FILE...] --kind train|eval|docs|raglog [--map query=COL,...] [--workspace SLUG]
 *   m3 index   (see index-command.ts)
 * Results are printed as JSON on stdout; errors go to stderr with exit code 1 (2 for usage).
 */
import { parseArgs } from "node:util";
import { evalCommand } from "./eval-command";
import { metricsCommand } from "./metrics-command";
import { mineCommand } from "./mine-command";
import { importCommand } from "./import-command";
import { indexCommand } from "./index-command";

/** One line per subcommand for `m3 --help` (and a wrong or missing subcommand). */
export const HELP = `usage: m3 <command> [options]   (options of each command: gpu-worker/cli/<command>-command.ts)
  metrics  nDCG/MRR/recall of run files against qrels: --qrels QRELS --run RUN [--run RUN2] [--per-query]
  eval     evaluate a model folder (and a tuned one) on an evaluation set: --model DIR [--tuned DIR] --data DIR --output report.json
  mine     mine hard negatives for training pairs with a model: --model DIR --input train.jsonl --output mined.jsonl
  import   import files into a workspace's dataset: FILE [FILE...] --kind train|eval|docs|raglog [--map query=COL,...] [--workspace SLUG]
  index    embed a corpus file into vector-store exports (Milvus, Qdrant, Elasticsearch, pgvector), resumable: --model DIR --corpus FILE --output DIR
Results are printed as JSON on stdout; errors go to stderr with exit code 1 (2 for usage).
`;

const STRING_OPTIONS = [
  "qrels", "model", "tuned", "data", "split", "corpus", "queries", "output", "modes", "run-dir", "cache-dir",
  "glossary", "projection", "backend", "threads", "query-max-length", "passage-max-length", "input", "pool",
  "range", "negatives", "fn-ratio", "seed", "query-instruction", "precision",
];

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process[command === undefined ? "stderr" : "stdout"].write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === "index") {
    // Ctrl-C stops after the batch in hand; the same command again resumes after the last written batch.
    const stop = new AbortController();
    process.once("SIGINT", () => stop.abort(new Error("interrupted: run the same command again to resume")));
    process.stdout.write(JSON.stringify(await indexCommand(rest, { signal: stop.signal }), null, 2) + "\n");
    return 0;
  }
  if (command === "import") {
    const { code, output } = await importCommand(rest);
    if (output) process.stdout.write(JSON.stringify(output, null, 2) + "\n");
    return code;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      ...Object.fromEntries(STRING_OPTIONS.map((k) => [k, { type: "string" as const }])),
      run: { type: "string", multiple: true },
      "per-query": { type: "boolean" },
      "teacher-scores": { type: "boolean" },
    },
    strict: true,
  });
  let out: unknown;
  if (command === "metrics") out = metricsCommand(values as Parameters<typeof metricsCommand>[0]);
  else if (command === "eval") out = await evalCommand(values);
  else if (command === "mine") out = await mineCommand(values);
  else {
    process.stderr.write(`m3: unknown command "${command}"\n${HELP}`);
    return 2;
  }
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`m3: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
