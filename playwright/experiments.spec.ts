import { expect, test, type Page } from "@playwright/test";
import { expectNoPlaceholder, newUserWithWorkspace, shot } from "./helpers";
import { medquadFiles } from "./journey-data";
import { beirFiles, fillLoraRunForm, importDataset, expectDefaultModel } from "./studio-steps";
import { waitWhileAdvancing } from "./advancing";

/** MedQuAD pairs from the demo model's train side, and a small BEIR set from its held-out side. */
const data = () => medquadFiles({ trainPairs: 200, evalQueries: 60 });

async function lossPoints(page: Page): Promise<number> {
  const attr = await page.getByTestId("chart-loss").locator("[data-series]").first().getAttribute("data-points").catch(() => null);
  return Number(attr ?? 0);
}

test("experiments: LoRA preset run, live chart, cancel, resume, comparison and per-query view", async ({ page }) => {
  test.setTimeout(1_500_000); // the training waits below fail on a stall, not on a slow machine
  page.setDefaultTimeout(45_000);
  const d = data();
  const base = await newUserWithWorkspace(page, "Eli Experiments", "experiments");
  await importDataset(page, base, "Training pairs", "medquad-train", [["Pairs file", { name: "pairs.jsonl", buffer: d.pairs }]]);
  await importDataset(page, base, "Evaluation set", "medquad-heldout", beirFiles(d));

  // Register the demo model, then a new run from the LoRA preset, shortened in the advanced form.
  await expectDefaultModel(page, base);
  await fillLoraRunForm(page, "lora from the browser", { maxSteps: "60", saveSteps: "20", batchSize: "8", trainGroupSize: "2", maxPassageLength: "96" });
  await expect(page.locator('select[name="evalVersionId"]')).not.toHaveValue("");
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
  const status = page.getByTestId("run-status");
  await waitWhileAdvancing(async () => (await status.innerText()).includes("Succeeded"), () => status.innerText(), "the resumed run");
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
