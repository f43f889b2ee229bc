import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { expectNoPlaceholder, newUserWithWorkspace, shot } from "./helpers";
import { DEFAULT_MODEL_NAME, demoModelDim, medquadFiles } from "./journey-data";
import { beirFiles, fillLoraRunForm, importDataset, expectDefaultModel, type DatasetKind, type ImportFile } from "./studio-steps";
import { waitWhileAdvancing } from "./advancing";

const DOCS = path.join(import.meta.dirname, "fixtures/liver-docs.jsonl");

/** Imports through the wizard, then opens the new version. */
async function importAndOpen(page: Page, base: string, kind: DatasetKind, name: string, files: Array<[string, ImportFile]>) {
  await importDataset(page, base, kind, name, files);
  await page.getByRole("link", { name: "Open the new version" }).click();
  await expect(page.getByRole("heading", { name: new RegExp(`${name} · v1`) })).toBeVisible();
}

/**
 * The whole product in one pass, as a new user would use it: data in, quality report, synthesis and review,
 * a short LoRA run, base vs tuned, deploy the tuned checkpoint, and call it with an API key.
 */
test("journey: sign up → data → quality → synthesis → LoRA run → compare → deploy → call /v1/embeddings", async ({ page }) => {
  test.setTimeout(1_200_000); // the training wait below fails on a stall, not on a slow machine
  page.setDefaultTimeout(45_000);
  const d = medquadFiles({ trainPairs: 160, evalQueries: 40 });
  const base = await newUserWithWorkspace(page, "Jo Journey", "Clinic search");

  // 1. Training pairs and an evaluation set (BEIR: corpus + queries + graded qrels).
  await importAndOpen(page, base, "Training pairs", "medquad-train", [["Pairs file", { name: "pairs.jsonl", buffer: d.pairs }]]);
  await expect(page.getByTestId("records-range")).toContainText(`of ${d.counts.pairs}`);
  // 2. Quality report of the training version.
  await page.getByRole("button", { name: "Compute report" }).click();
  await expect(page.getByTestId("quality-score")).toHaveText(/^\d{1,3}$/, { timeout: 90_000 });
  await expect(page.getByTestId("quality-report")).toContainText("Duplicate rows");
  await expectNoPlaceholder(page);
  await shot(page, "journey-02-quality-report");

  await importAndOpen(page, base, "Evaluation set", "medquad-heldout", beirFiles(d));
  await importAndOpen(page, base, "Documents", "liver-docs", [["Documents", DOCS]]);
  await page.goto(`${base}/datasets`);
  await expect(page.getByTestId("datasets")).toContainText("medquad-train");
  await expect(page.getByTestId("datasets")).toContainText("medquad-heldout");
  await expectNoPlaceholder(page);
  await shot(page, "journey-01-datasets");

  // 3. Synthesis with the offline generator (one query per chunk), review two with the keyboard, export.
  await page.goto(`${base}/synthesis`);
  await page.getByLabel("Run name").fill("liver queries");
  await page.getByLabel("Queries per chunk").fill("1");
  await page.getByLabel("Use the workspace's LLM (offline generator otherwise)").uncheck();
  await page.getByLabel("Jo Journey").check();
  await page.getByRole("button", { name: "Generate candidates" }).click();
  await expect(page.getByTestId("focus-view")).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId("candidate-query")).not.toBeEmpty();
  await shot(page, "journey-03-review");
  for (let i = 0; i < 2; i++) {
    const query = await page.getByTestId("candidate-query").textContent();
    await page.keyboard.press("3");
    await page.keyboard.press("a");
    if (i === 0) await expect(page.getByTestId("candidate-query")).not.toHaveText(query ?? "");
  }
  await expect(page.getByTestId("review-progress")).toContainText("2/");
  await page.getByRole("button", { name: "Export" }).click();
  await page.getByRole("button", { name: "Export accepted pairs (training)" }).click();
  await expect(page.getByTestId("export-result")).toContainText("Exported 2 rows as v1");

  // 4. Register the base model and run the LoRA preset, shortened to a few CPU steps.
  await expectDefaultModel(page, base);
  // A higher rate than the preset's so that 16 steps visibly move the LoRA weights (B starts at zero).
  await fillLoraRunForm(page, "clinic lora", {
    maxSteps: "16", batchSize: "8", trainGroupSize: "2", maxPassageLength: "96", learningRate: "0.002", warmupRatio: "0",
  });
  await page.locator('select[name="trainVersionId"]').selectOption({ label: "medquad-train v1" });
  await page.locator('select[name="evalVersionId"]').selectOption({ label: "medquad-heldout v1" });
  await expect(page.getByTestId("estimate")).toContainText("GB");
  await page.getByTestId("queue-run").click();
  await expect(page).toHaveURL(/\/experiments\/run/);
  const status = page.getByTestId("run-status");
  await waitWhileAdvancing(async () => (await status.innerText()).includes("Succeeded"), () => status.innerText(), "the LoRA run");
  await expect(page.getByTestId("run-step")).toContainText("16");
  await expect(page.getByTestId("checkpoints")).toContainText("best");
  await expectNoPlaceholder(page);
  await shot(page, "journey-04-run");

  // 5. Base vs tuned on the held-out set: real numbers in both columns.
  await page.getByTestId("open-compare").click();
  const table = page.getByTestId("compare-table");
  await expect(table.locator("thead")).toContainText(DEFAULT_MODEL_NAME);
  const ndcg = table.locator('tr[data-metric="ndcg@10"] td');
  await expect(ndcg.nth(1)).toHaveText(/^[01]\.\d{4}/);
  await expect(ndcg.nth(2)).toHaveText(/^[01]\.\d{4}[+-]\d\.\d{4}/);
  // The tuned model ranks differently from the base on some held-out queries (wins or losses, not 40 ties).
  const changed = async () => {
    const count = async (filter: string) => Number(/\((\d+)\)/.exec((await page.getByTestId(`filter-${filter}`).textContent()) ?? "")?.[1] ?? 0);
    return (await count("win")) + (await count("loss"));
  };
  await expect.poll(changed).toBeGreaterThan(0);
  await expectNoPlaceholder(page);
  await shot(page, "journey-05-compare");

  // 6. Deploy the tuned checkpoint.
  await page.goto(`${base}/deployments`);
  const option = page.getByLabel("Model", { exact: true }).locator("option", { hasText: "clinic lora · step 16" });
  const label = (await option.textContent()) ?? "";
  expect(label).toContain("(best)");
  await page.getByLabel("Model", { exact: true }).selectOption({ label });
  await page.getByLabel("Name", { exact: true }).fill("clinic-embeddings");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByTestId("deployment-status")).toHaveText("Live", { timeout: 120_000 });
  await expect(page.getByText(`clinic lora · step 16`).first()).toBeVisible();
  // The stable URL (the web app's router, balanced over the deployment's replicas) ends in /v1.
  const v1 = ((await page.getByTestId("deployment-url").textContent()) ?? "").trim();
  expect(v1).toMatch(/^https?:\/\/.+\/v1$/);
  await expectNoPlaceholder(page);
  await shot(page, "journey-06-deployment");

  // 7. An API key, then the deployed endpoint called from the test.
  await page.goto(`${base}/deployments`);
  await page.getByLabel("Key name").fill("clinic-rag");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByTestId("api-key").inputValue();
  const call = (auth: string | null) => fetch(`${v1}/embeddings`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify({ model: "clinic-embeddings", input: ["What are the symptoms of fatty liver?", "脂肪肝怎么治疗？"] }),
  });
  expect((await call(null)).status).toBe(401);
  const res = await call(key);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { object: string; data: Array<{ index: number; embedding: number[] }> };
  expect(body.object).toBe("list");
  expect(body.data.map((e) => e.index)).toEqual([0, 1]);
  const dim = demoModelDim();
  for (const e of body.data) {
    expect(e.embedding).toHaveLength(dim);
    // Dense vectors are L2-normalised (BGE-M3's CLS pooling).
    expect(Math.hypot(...e.embedding)).toBeCloseTo(1, 3);
  }
  await expect(page.getByTestId("deployments")).toContainText("clinic-embeddings");
  await shot(page, "journey-07-deployments");

  // 8. The docs are one click away, rendered from docs/*.md.
  await page.getByRole("link", { name: "Docs", exact: true }).click();
  await page.getByRole("link", { name: "Metrics", exact: true }).click();
  await expect(page.getByTestId("doc-body")).toContainText("trec_eval");
  await expect(page.getByTestId("doc-body").locator("table").first()).toContainText("ndcg@k");
  await shot(page, "journey-08-docs");
});
