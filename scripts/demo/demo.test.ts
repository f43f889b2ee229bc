import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDemoArgs, parseMapping, UsageError } from "./args";
import { buildTable, formatTable, tunedWins, type CompareRow } from "./table";

/** `npm run demo`'s arguments, its table, and its exit codes (the full run is measured in bench/results/demo.md). */
const ROOT = path.resolve(import.meta.dirname, "../..");

describe("demo arguments", () => {
  it("defaults to the medical demo against localhost:3000, or M3_URL", () => {
    expect(parseDemoArgs([], {})).toMatchObject({ url: "http://localhost:3000", train: null, eval: null, steps: 200, json: false, keepDeployment: false, email: null });
    expect(parseDemoArgs([], { M3_URL: "http://10.0.0.5:3305/" }).url).toBe("http://10.0.0.5:3305");
    expect(parseDemoArgs(["--url", "http://localhost:3305", "--json", "--steps", "8"], {})).toMatchObject({ url: "http://localhost:3305", json: true, steps: 8 });
  });

  it("takes the team's own files with the data studio's mapping syntax", () => {
    const o = parseDemoArgs(["--train", "t.csv", "--eval", "corpus.jsonl,queries.jsonl,qrels.tsv", "--map", "query=q, positive=p,negative=n1,negative=n2"], {});
    expect(o.train).toBe("t.csv");
    expect(o.eval).toEqual(["corpus.jsonl", "queries.jsonl", "qrels.tsv"]);
    expect(o.mapping).toEqual({ query: "q", positive: "p", negative: ["n1", "n2"] });
    expect(parseDemoArgs(["--train", "t.jsonl", "--eval", "e.jsonl"], {})).toMatchObject({ eval: ["e.jsonl"], mapping: undefined, evalMapping: undefined });
    expect(parseDemoArgs(["--train", "t.csv", "--eval", "e.csv", "--eval-map", "query=question,positive=answer"], {}).evalMapping).toEqual({ query: "question", positive: "answer" });
  });

  it("refuses inconsistent or malformed arguments with a reason", () => {
    const refuse = (argv: string[], reason: RegExp) => expect(() => parseDemoArgs(argv, {})).toThrow(reason);
    refuse(["--train", "t.jsonl"], /--train and --eval go together/);
    refuse(["--train", "t.jsonl", "--eval", "a,b"], /one pairs file or three files/);
    refuse(["--map", "query=q"], /--map and --eval-map apply to --train/);
    refuse(["--url", "localhost:3000"], /--url: expected http/);
    refuse(["--steps", "0"], /--steps/);
    refuse(["--email", "a@b.c"], /--email and --password go together/);
    refuse(["--bogus"], /bogus/);
    expect(() => parseMapping("query")).toThrow(UsageError);
    expect(() => parseMapping("answer=a")).toThrow(/unknown role "answer"/);
  });
});

describe("demo table", () => {
  const rows: CompareRow[] = [
    { metric: "P@10", values: [0.05, 0.06], pct: [null, 20], p: [null, 0.02] },
    { metric: "recall@10", values: [0.5, 0.6], pct: [null, 20], p: [null, 0.02] },
    { metric: "mrr@10", values: [0.239, 0.2715], pct: [null, 13.598], p: [null, 0.0004] },
    { metric: "ndcg@10", values: [0.3059, 0.3413], pct: [null, 11.572], p: [null, 0.01] },
    { metric: "map@10", values: [0.24, 0.27], pct: [null, 12.5], p: [null, 0.2] },
  ];
  const meta = { mode: "dense", queries: 200, base: "demo-model", tuned: "demo LoRA @24" };

  it("prints metric | base | tuned | change % | p in the article's order", () => {
    const text = formatTable(buildTable(rows, meta));
    const lines = text.split("\n");
    expect(lines[0]).toBe("dense retrieval, 200 held-out queries: demo-model (base) vs demo LoRA @24 (tuned)");
    expect(lines[1]).toMatch(/^\| metric\s+\|\s+base \|\s+tuned \| change % \|\s+p \|$/);
    expect(lines.slice(3, 8).map((l) => l.split("|")[1]!.trim())).toEqual(["P@10", "Recall@10", "MRR@10", "nDCG@10", "MAP@10"]);
    expect(text).toMatch(/\| nDCG@10\s+\| 0\.3059 \| 0\.3413 \|\s+\+11\.6% \|\s+0\.010 \|/);
    expect(text).toMatch(/\| MRR@10\s+\| 0\.2390 \| 0\.2715 \|\s+\+13\.6% \| <0\.001 \|/);
  });

  it("says whether tuned beats base on nDCG@10 and MRR@10, and refuses a comparison without both models", () => {
    expect(tunedWins(buildTable(rows, meta))).toBe(true);
    const worse = rows.map((r) => (r.metric === "mrr@10" ? { ...r, values: [0.239, 0.2] } : r));
    expect(tunedWins(buildTable(worse, meta))).toBe(false);
    expect(() => buildTable(rows.map((r) => ({ ...r, values: [r.values[0]!, null] })), meta)).toThrow(/no P@10 for both models/);
  });
});

describe("demo exit codes", () => {
  const demo = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/demo/main.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

  it("exits 2 with the usage on bad arguments, 0 on --help", () => {
    const bad = demo(["--train", "x.jsonl"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("demo: --train and --eval go together");
    expect(bad.stderr).toContain("usage: npm run demo");
    expect(demo(["--help"]).status).toBe(0);
  });

  it("exits 1 naming the step when the platform cannot be reached", async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const run = demo(["--url", `http://127.0.0.1:${port}`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`demo: step "sign in" failed: cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); is the platform running`));
    expect(run.stdout).toBe("");
  });
});

// Opt-in (about 4 minutes of CPU training): M3_DEMO_URL=http://localhost:3305 npx vitest run scripts/demo/demo.test.ts
describe.skipIf(!process.env.M3_DEMO_URL)("demo against a running platform", () => {
  it("finishes and the tuned model beats the base on held-out nDCG@10 and MRR@10", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/demo/main.ts", "--url", process.env.M3_DEMO_URL!, "--json"], { cwd: ROOT, encoding: "utf8", timeout: 1_200_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { queries: number; rows: Array<{ metric: string; base: number; tuned: number; p: number }>; deployment: { dim: number } };
    expect(out.queries).toBe(200);
    for (const metric of ["nDCG@10", "MRR@10"]) {
      const row = out.rows.find((r) => r.metric === metric)!;
      expect(row.tuned).toBeGreaterThan(row.base);
    }
    expect(out.deployment.dim).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/embeddings call: 2 embeddings/);
  }, 1_250_000);
});
