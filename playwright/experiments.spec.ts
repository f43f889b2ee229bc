import { expect, test, type Page } from "@playwright/test";
import { expectNoPlaceholder, newUserWithWorkspace, shot } from "./helpers";
import { DEMO_MODEL, medquadFiles } from "./journey-data";

/** MedQuAD pairs from the demo model's train side, and a small BEIR set from its held-out side. */
const data = () => medquadFiles({ trainPairs: 200, evalQueries: 60 });

async function importFiles(page: Page, base: string, name: string, kind: "Training pairs" | "Evaluation set", files: Array<[string, string, Buffer]>) {
  await page.goto(`${base}/datasets/import`);
  await page.getByLabel("What is it?").selectOption({ label: kind });
  await page.getByLabel("Dataset name").fill(name);
  for (const [role, fileName, buffer] of files) {
    await page.getByLabel(`Choose the ${role} file`).setInputFiles({ name: fileName, mimeType: "application/json", buffer });
  }
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("import-status")).toContainText("Done", { timeout: 90_000 });
}

async function lossPoints(page: Page): Promise<number> {
  const attr = await page.getByTestId("chart-loss").locator("polyline").first().getAttribute("data-points").catch(() => null);
  return Number(attr ?? 0);
}

test("experiments: LoRA preset run, live chart, cancel, resume, comparison and per-query view", async ({ page }) => {
  test.setTimeout(600_000);
  page.setDefaultTimeout(45_000);
  const d = data();
  const base = await newUserWithWorkspace(page, "Eli Experiments", "experiments");
  await importFiles(page, base, "medquad-train", "Training pairs", [["Pairs file", "pairs.jsonl", d.pairs]]);
  await importFiles(page, base, "medquad-heldout", "Evaluation set", [
    ["Corpus", "corpus.jsonl", d.corpus], ["Queries", "queries.jsonl", d.queries], ["Relevance judgements (qrels)", "qrels.tsv", d.qrels],
  ]);

  // Register the demo model (validated on registration).
  await page.goto(`${base}/experiments`);
  await page.locator('input[name="model-name"]').fill("demo-m3");
  await page.locator('input[name="model-dir"]').fill(DEMO_MODEL);
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByTestId("models")).toContainText("XLMRobertaModel");

  // New run from the LoRA preset, shortened in the advanced form.
  await page.getByTestId("new-run").click();
  await page.locator('input[name="name"]').fill("lora from the browser");
  await page.getByTestId("preset-lora_quick").check({ force: true });
  await expect(page.getByLabel("Evaluation version")).not.toHaveValue("");
  await page.getByRole("button", { name: "Show all hyperparameters" }).click();
  const setNumber = async (name: string, value: string) => page.locator(`input[name="${name}"]`).fill(value);
  await setNumber("maxSteps", "60");
  await setNumber("saveSteps", "20");
  await setNumber("batchSize", "8");
  await setNumber("trainGroupSize", "2");
  await setNumber("maxPassageLength", "96");
  await page.locator('select[name="device"]').selectOption("cpu");
  await expect(page.getByTestId("estimate")).toContainText("GB");
  await shot(page, "exp-01-new-run");
  await page.getByTestId("queue-run").click();
  await expect(page).toHaveURL(/\/experiments\/run/);

  // The loss chart fills in without a reload.
  await expect.poll(() => lossPoints(page), { timeout: 120_000 }).toBeGreaterThan(2);
  const seen = await lossPoints(page);
  await expect.poll(() => lossPoints(page), { timeout: 60_000 }).toBeGreaterThan(seen);
  await shot(page, "exp-02-live-chart");

  // Cancel (the trainer checkpoints on SIGTERM), then resume from the checkpoint.
  await page.getByTestId("cancel-run").click();
  await expect(page.getByTestId("run-status")).toContainText("Cancelled", { timeout: 60_000 });
  await page.getByTestId("resume-run").click();
  await expect(page.getByTestId("run-status")).toContainText(/Queued|Running/);
  await expect(page.getByTestId("log-tail")).toContainText("resuming from the checkpoint at step", { timeout: 120_000 });
  await expect(page.getByTestId("run-status")).toContainText("Succeeded", { timeout: 400_000 });
  await expect(page.getByTestId("checkpoints")).toContainText("best");
  await shot(page, "exp-03-finished");

  // Comparison: base vs every checkpoint, metrics with deltas and p-values; per-query view.
  await page.getByTestId("open-compare").click();
  await expect(page.getByTestId("compare-table")).toContainText("ndcg@10");
  await expect(page.getByTestId("compare-table")).toContainText("p=");
  await expect(page.getByTestId("config-diff")).toBeVisible();
  await expect(page.getByTestId("per-query-table")).toContainText("en:");
  await page.getByTestId("filter-win").click();
  await expect(page.getByTestId("per-query")).toContainText("Wins (");
  await page.getByTestId("filter-all").click();
  await page.getByLabel("Search queries").fill("symptoms");
  await expect(page.getByTestId("per-query-table")).toContainText(/symptoms/i);
  await expectNoPlaceholder(page);
  await shot(page, "exp-04-compare");

  // The comparison URL is shareable: reloading it shows the same table.
  const url = page.url();
  await page.goto(url);
  await expect(page.getByTestId("compare-table")).toContainText("ndcg@10");
  await page.goto(`${base}/evaluations`);
  await expect(page.getByTestId("evaluations")).toContainText("lora from the browser");
});
