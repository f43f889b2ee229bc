import { expect, test } from "@playwright/test";
import { expectNoPlaceholder, newUserWithWorkspace, shot } from "./helpers";
import { medquadFiles } from "./journey-data";
import { fillLoraRunForm, importDataset, expectDefaultModel } from "./studio-steps";
import { waitWhileAdvancing } from "./advancing";

/** A few dozen MedQuAD pairs: enough for short CPU runs. */
const pairs = () => medquadFiles({ trainPairs: 80, evalQueries: 0 }).pairs;

test("sweep form: several fields, grid size and cap, field-named errors; run page: live CPU and memory charts, no GPU here", async ({ page }) => {
  test.setTimeout(1_200_000); // the chart wait below fails on a stall, not on a slow machine
  page.setDefaultTimeout(45_000);
  const base = await newUserWithWorkspace(page, "Sam Sweeps", "sweeps");
  await importDataset(page, base, "Training pairs", "sweep-train", [["Pairs file", { name: "pairs.jsonl", buffer: pairs() }]]);
  await expectDefaultModel(page, base);
  await fillLoraRunForm(page, "sweep", { maxSteps: "100", batchSize: "8", trainGroupSize: "2", maxPassageLength: "64" });

  // The sweep: several fields, each a list of values.
  await page.getByLabel("Launch a grid of runs as one group").check();
  const grid = page.getByTestId("sweep-grid");
  const rows = grid.getByTestId("sweep-row");
  const queue = page.getByTestId("queue-run");
  await rows.nth(0).getByLabel("Values of Learning rate, comma separated").fill("1e-4, abc");
  await expect(rows.nth(0)).toContainText("Learning rate (learningRate): “abc” is not a number.");
  await expect(queue).toBeDisabled();
  await rows.nth(0).getByLabel("Values of Learning rate, comma separated").fill("1e-4, 5e-4");
  await page.getByTestId("sweep-add-field").click();
  await expect(rows.nth(1).getByLabel("Swept field")).toHaveValue("lora.r");
  await page.getByTestId("sweep-add-field").click();
  await expect(rows.nth(2).getByLabel("Swept field")).toHaveValue("temperature");
  await expect(page.getByTestId("sweep-size")).toHaveText("2 × 2 × 2 = 8 runs (at most 32)");
  await rows.nth(2).getByLabel("Swept field").selectOption("seed");
  await rows.nth(2).getByLabel("Values of Seed, comma separated").fill("1, 2, 3, 4, 5");
  await expect(page.getByTestId("sweep-size")).toHaveText("2 × 2 × 5 = 20 runs (at most 32)");
  await rows.nth(2).getByLabel("Values of Seed, comma separated").fill("1, 2, 3, 4, 5, 6, 7, 8, 9");
  await expect(page.getByTestId("sweep-grid-error")).toHaveText("This grid is 36 runs; a sweep may queue at most 32. Remove values or fields.");
  await expect(queue).toBeDisabled();
  await rows.nth(1).getByLabel("Values of LoRA rank, comma separated").fill("8, 0");
  await expect(rows.nth(1)).toContainText("LoRA rank (lora.r): 0 is out of range (1 ≤ x ≤ 256).");
  await shot(page, "sweep-01-grid-errors");
  // Down to 2 runs (this machine trains them on CPU).
  await rows.nth(2).getByRole("button", { name: "Remove" }).click();
  await rows.nth(1).getByLabel("Values of LoRA rank, comma separated").fill("4");
  await expect(page.getByTestId("sweep-size")).toHaveText("2 × 1 = 2 runs (at most 32)");
  await expect(queue).toBeEnabled();
  await queue.click();
  await expect(page).toHaveURL(/\/experiments$/);
  const runs = page.getByTestId("runs");
  await expect(runs.getByRole("link", { name: "sweep · learningRate=0.0001 lora.r=4" })).toBeVisible();
  await expect(runs.getByRole("link", { name: "sweep · learningRate=0.0005 lora.r=4" })).toBeVisible();

  // Run page: resource charts fill in live (the e2e worker samples every second), CPU only on this machine.
  await runs.getByRole("link", { name: "sweep · learningRate=0.0001 lora.r=4" }).click();
  await expect(page.getByTestId("run-config")).toContainText('"r": 4');
  const cpuPoints = async () => Number((await page.getByTestId("chart-cpu").locator("[data-series]").first().getAttribute("data-points").catch(() => null)) ?? 0);
  // The run may queue behind other specs' training on a loaded machine: wait while its status or chart moves.
  const status = page.getByTestId("run-status");
  await waitWhileAdvancing(async () => (await cpuPoints()) > 2, async () => `${await status.innerText()} / ${await cpuPoints()}`, "three CPU points");
  const first = await cpuPoints();
  await expect.poll(cpuPoints, { timeout: 60_000 }).toBeGreaterThan(first); // updates without a reload
  await expect(page.getByTestId("chart-trainer-memory")).toContainText("trainer RSS");
  await expect(page.getByTestId("chart-host-memory").locator("[data-series]")).toHaveCount(2);
  await expect(page.getByTestId("no-gpu")).toHaveText("No GPU on this worker (nvidia-smi not found): CPU and memory only.");
  await expect(page.getByTestId("chart-gpu-util")).toHaveCount(0);
  await expectNoPlaceholder(page);
  await shot(page, "sweep-02-run-resources");
});
