import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDemoArgs } from "./args";
import { checkPairsColumns, fileColumns } from "./columns";
import { customPlan } from "./journey";

const dir = mkdtempSync(path.join(os.tmpdir(), "m3-demo-columns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("npm run demo column mapping", () => {
  it("applies --map to the evaluation pairs file unless --eval-map is given", () => {
    const train = file("train.csv", "question,answer\nq,a\n");
    const evalFile = file("eval.csv", "question,answer\nq,a\n");
    const withMap = customPlan(parseDemoArgs(["--train", train, "--eval", evalFile, "--map", "query=question,positive=answer"], {}));
    expect(withMap.imports[1]!.files[0]!.mapping).toEqual({ query: "question", positive: "answer" });
    const own = customPlan(parseDemoArgs(["--train", train, "--eval", evalFile, "--map", "query=question,positive=answer", "--eval-map", "query=q2,positive=a2"], {}));
    expect(own.imports[1]!.files[0]!.mapping).toEqual({ query: "q2", positive: "a2" });
  });

  it("reads CSV headers and JSONL keys", async () => {
    expect(await fileColumns(file("h.csv", '"question",answer,dept\r\nq,a,d\n'))).toEqual(["question", "answer", "dept"]);
    expect(await fileColumns(file("h.jsonl", '\n{"q":"x","p":"y"}\n'))).toEqual(["q", "p"]);
    expect(await fileColumns(file("h.txt", "plain"))).toBeNull();
  });

  it("a missing column is one line naming the file's columns and the flag", async () => {
    const evalFile = file("e.csv", "question,answer\nq,a\n");
    const err = await checkPairsColumns(evalFile, { query: "query", positive: "answer" }, "--eval-map").catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain('"question", "answer"');
    expect(message).toContain("--eval-map");
    expect(message).toContain('"query" (query)');
    await expect(checkPairsColumns(evalFile, { query: "question", positive: "answer" }, "--eval-map")).resolves.toBeUndefined();
    const jsonl = file("e.jsonl", '{"question":"q","answer":"a"}\n');
    await expect(checkPairsColumns(jsonl, undefined, "--eval-map")).rejects.toThrow(/no column "query" \(query\), "pos" \(positive\); its columns are "question", "answer"/);
  });
});
