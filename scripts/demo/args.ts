import { parseArgs } from "node:util";
import type { ColumnMapping } from "../../server/jobs/definitions/import-dataset";

export const USAGE = `usage: npm run demo -- [--url URL] [--train FILE --eval FILE[,FILE,FILE]] [--docs FILE] [--map role=COLUMN,...] [--eval-map role=COLUMN,...]
                        [--email EMAIL --password PASSWORD] [--steps N] [--keep-deployment] [--json]
  --url       the running platform (default http://localhost:3000, or M3_URL)
  --train     your training file (FlagEmbedding JSONL, or CSV/TSV/JSONL with --map)
  --eval      your evaluation set: one pairs file, or corpus,queries,qrels (BEIR)
  --docs      documents for the synthesis step (txt/md/jsonl/csv); without it, --train skips synthesis
  --map       column mapping for --train, as in m3 import: query=COL,positive=COL,...
  --eval-map  column mapping for the --eval pairs file (default: --map's) or its BEIR corpus (id=COL,text=COL,title=COL)
  --email/--password  an existing account (or M3_DEMO_EMAIL / M3_DEMO_PASSWORD); default: a new demo user
  --steps     training steps (default 200)
  --keep-deployment  leave the demo deployment running (default: stopped after the test call)
  --json      print the final table as JSON`;

export class UsageError extends Error {}

/** 200 steps of 16 pairs (2 epochs of the 1,600 demo pairs): about 3 minutes on 2 CPU cores. */
export const DEFAULT_STEPS = 200;

export interface DemoOptions {
  url: string;
  train: string | null;
  eval: string[] | null;
  docs: string | null;
  mapping: ColumnMapping | undefined;
  evalMapping: ColumnMapping | undefined;
  email: string | null;
  password: string | null;
  steps: number;
  json: boolean;
  keepDeployment: boolean;
}

/** `role=COLUMN,...` (as `m3 import --map`); `negative` may repeat. */
export function parseMapping(spec: string | undefined): ColumnMapping | undefined {
  if (spec === undefined) return undefined;
  const mapping: Record<string, string | string[]> = {};
  const roles = ["query", "positive", "negative", "group", "text", "title", "id"];
  for (const part of spec.split(",")) {
    const [key, column, extra] = part.split("=").map((s) => s.trim());
    if (!key || !column || extra !== undefined) throw new UsageError(`--map: expected role=COLUMN pairs, got "${part}"`);
    if (!roles.includes(key)) throw new UsageError(`--map: unknown role "${key}" (roles: ${roles.join(", ")})`);
    if (key === "negative") mapping.negative = [...((mapping.negative as string[] | undefined) ?? []), column];
    else mapping[key] = column;
  }
  return mapping as ColumnMapping;
}

export function parseDemoArgs(argv: string[], env: Record<string, string | undefined> = process.env): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: {
        url: { type: "string" }, train: { type: "string" }, eval: { type: "string" }, docs: { type: "string" }, map: { type: "string" }, "eval-map": { type: "string" },
        email: { type: "string" }, password: { type: "string" }, steps: { type: "string" }, json: { type: "boolean" }, "keep-deployment": { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) throw new UsageError("");
  const url = (values.url ?? env.M3_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url: expected http(s)://host[:port], got "${url}"`);
  if (!!values.train !== !!values.eval) throw new UsageError("--train and --eval go together: give both, or neither for the medical demo data");
  const evalFiles = values.eval ? values.eval.split(",").map((s) => s.trim()).filter(Boolean) : null;
  if (evalFiles && evalFiles.length !== 1 && evalFiles.length !== 3) throw new UsageError("--eval takes one pairs file or three files corpus,queries,qrels");
  if (values.docs && !values.train) throw new UsageError("--docs goes with --train/--eval (the medical demo brings its own documents)");
  if ((values.map || values["eval-map"]) && !values.train) throw new UsageError("--map and --eval-map apply to --train/--eval files");
  const steps = values.steps === undefined ? DEFAULT_STEPS : Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) throw new UsageError(`--steps: expected a whole number of steps ≥ 1, got "${values.steps}"`);
  const email = values.email ?? env.M3_DEMO_EMAIL ?? null;
  const password = values.password ?? env.M3_DEMO_PASSWORD ?? null;
  if (!!email !== !!password) throw new UsageError("--email and --password go together");
  return {
    url, train: values.train ?? null, eval: evalFiles, docs: values.docs ?? null, mapping: parseMapping(values.map), evalMapping: parseMapping(values["eval-map"]),
    email, password, steps, json: !!values.json, keepDeployment: !!values["keep-deployment"],
  };
}
