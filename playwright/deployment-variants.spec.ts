import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { newUserWithWorkspace, shot } from "./helpers";

const ROOT = path.resolve(import.meta.dirname, "..");
const MEDQUAD = path.resolve(ROOT, "../shared/data/medquad-en/gard-ghr.jsonl");

/** A small BEIR evaluation set from MedQuAD (60 queries, their answers as the corpus). */
function evalSet() {
  const rows = readFileSync(MEDQUAD, "utf8").split("\n").filter(Boolean).filter((_, i) => i % 90 === 0).slice(0, 60)
    .map((l) => JSON.parse(l) as { qid: string; question: string; answer: string });
  const docs = new Map<string, string>();
  for (const r of rows) if (!docs.has(r.answer)) docs.set(r.answer, `d${docs.size}`);
  const buf = (lines: string[]) => Buffer.from(lines.join("\n") + "\n");
  return {
    corpus: buf([...docs.entries()].map(([text, id]) => JSON.stringify({ _id: id, text }))),
    queries: buf(rows.map((r) => JSON.stringify({ _id: `q${r.qid}`, text: r.question }))),
    qrels: buf(["query-id\tcorpus-id\tscore", ...rows.map((r) => `q${r.qid}\t${docs.get(r.answer)}\t1`)]),
  };
}

test("deploy int8 with 2 replicas: accuracy cost on the evaluation set, Go live, replicas listed", async ({ page }) => {
  test.setTimeout(240_000);
  const base = await newUserWithWorkspace(page, "Quinn Quant", "quantised");
  const d = evalSet();
  await page.goto(`${base}/datasets/import`);
  await page.getByLabel("What is it?").selectOption({ label: "Evaluation set" });
  await page.getByLabel("Dataset name").fill("medquad-eval");
  for (const [role, name, buffer] of [["Corpus", "corpus.jsonl", d.corpus], ["Queries", "queries.jsonl", d.queries], ["Relevance judgements (qrels)", "qrels.tsv", d.qrels]] as const) {
    await page.getByLabel(`Choose the ${role} file`).setInputFiles({ name, mimeType: "application/json", buffer });
  }
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("import-status")).toContainText("Done", { timeout: 90_000 });

  await page.goto(`${base}/deployments`);
  // fp16 is offered only with a GPU worker; this one has none.
  await expect(page.getByRole("option", { name: "fp16 (GPU)" })).toBeDisabled();
  await expect(page.getByTestId("precision-hint")).toContainText("fp16 needs a GPU worker");
  await page.getByLabel("Name", { exact: true }).fill("int8-embeddings");
  await page.getByLabel("Precision").selectOption("int8");
  await expect(page.getByLabel("Evaluation set for the int8 check")).toContainText("medquad-eval v1");
  await page.getByLabel("Replicas").fill("2");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();

  // The cost is measured and shown before the deployment takes traffic.
  await expect(page.getByTestId("accuracy-check")).toContainText(/int8: nDCG@10 0\.\d{4} vs fp32 0\.\d{4}, [+−]\d+\.\d%/, { timeout: 120_000 });
  await expect(page.getByTestId("deployment-status")).toHaveText("Awaiting go-live", { timeout: 60_000 });
  await shot(page, "22-deployment-int8-accuracy");
  const acknowledge = page.getByLabel("I accept this accuracy cost");
  if (await acknowledge.isVisible()) await acknowledge.check();
  await page.getByRole("button", { name: "Go live" }).click();
  await expect(page.getByTestId("deployment-status")).toHaveText("Live", { timeout: 30_000 });

  // One worker here: replica 0 serves, replica 1 waits for a second worker.
  const replicas = page.getByTestId("replicas");
  await expect(replicas.locator("tbody tr")).toHaveCount(2);
  await expect(replicas).toContainText("healthy");
  await expect(replicas).toContainText("waiting for a free worker");
  await shot(page, "23-deployment-replicas");
  await page.getByRole("button", { name: "Undeploy" }).click();
  await expect(page.getByTestId("deployment-status")).toHaveText("Stopped", { timeout: 60_000 });
});
