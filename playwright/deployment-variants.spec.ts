import { expect, test } from "@playwright/test";
import { newUserWithWorkspace, shot } from "./helpers";
import { medquadFiles } from "./journey-data";
import { beirFiles, importDataset } from "./studio-steps";

/** A small held-out BEIR evaluation set from MedQuAD (60 queries; their answers and as many more as the corpus). */
const evalSet = () => medquadFiles({ trainPairs: 0, evalQueries: 60 });

test("deploy int8 with 2 replicas: accuracy cost on the evaluation set, Go live, replicas listed", async ({ page }) => {
  test.setTimeout(240_000);
  const base = await newUserWithWorkspace(page, "Quinn Quant", "quantised");
  const d = evalSet();
  await importDataset(page, base, "Evaluation set", "medquad-eval", beirFiles(d));

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
