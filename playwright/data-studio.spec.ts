import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { expectNoPlaceholder, newUserWithWorkspace, shot, signUp, uniqueEmail } from "./helpers";

const SHARED = path.resolve(import.meta.dirname, "../../shared/data");
const ZH_CSV = path.join(SHARED, "zh-medical-dialogue/liver-digestive.gb18030.csv");
const DOCS = path.join(import.meta.dirname, "fixtures/liver-docs.jsonl");

async function waitForImport(page: Page) {
  await expect(page.getByTestId("import-status")).toContainText("Done", { timeout: 90_000 });
  await page.getByRole("link", { name: "Open the new version" }).click();
}

/** Reviews `count` candidates with the keyboard only: grade, then accept (or reject every third). */
async function reviewWithKeyboard(page: Page, count: number, rejectEvery: number) {
  const focus = page.getByTestId("focus-view");
  await expect(focus).toBeVisible();
  for (let i = 0; i < count; i++) {
    const query = await page.getByTestId("candidate-query").textContent();
    const reject = (i + 1) % rejectEvery === 0;
    await page.keyboard.press(reject ? "0" : "3");
    await page.keyboard.press(reject ? "r" : "a");
    if (i < count - 1) await expect(page.getByTestId("candidate-query")).not.toHaveText(query ?? "");
  }
  await expect(page.getByTestId("review-progress")).toContainText(`${count}/`);
}

test("data studio: upload GB18030 CSV, fix the mapping, quality report; synthesis; keyboard review by two reviewers; kappa; export", async ({ browser }) => {
  test.setTimeout(300_000);
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const base = await newUserWithWorkspace(owner, "Dana Data", "肝胆数据");

  // Import the Chinese CSV as training pairs; no group column is guessed (department would be too coarse): pick one.
  await owner.goto(`${base}/datasets/import`);
  await owner.getByLabel("Dataset name").fill("liver-qa");
  await owner.getByLabel("Choose the Pairs file file").setInputFiles(ZH_CSV);
  await expect(owner.getByTestId("preview-pairs")).toContainText("哪家医院能治胃反流");
  await expect(owner.getByLabel("Query column")).toHaveValue("title");
  await expect(owner.getByLabel("Positive column")).toHaveValue("answer");
  await expect(owner.getByLabel("Group column (for splits)")).toHaveValue("");
  await owner.getByLabel("Group column (for splits)").selectOption("answer");
  await shot(owner, "10-import-mapping");
  await owner.getByRole("button", { name: "Import", exact: true }).click();
  await waitForImport(owner);
  await expect(owner.getByRole("heading", { name: /liver-qa · v1/ })).toBeVisible();
  await expect(owner.getByTestId("records-range")).toContainText("of 4,535");

  // Split by group, then the quality report of the split version (leakage is checked train vs test).
  await owner.getByRole("button", { name: "Split by group" }).click();
  await expect(owner.getByRole("heading", { name: /liver-qa · v2/ })).toBeVisible();
  await expect(owner.getByTestId("split-summary")).toContainText("test:");
  await owner.getByRole("button", { name: "Compute report" }).click();
  await expect(owner.getByTestId("quality-score")).toBeVisible({ timeout: 90_000 });
  await expect(owner.getByTestId("quality-report")).toContainText("Duplicate rows");
  await expect(owner.getByTestId("quality-report")).toContainText("Query length (tokens)");
  await expectNoPlaceholder(owner);
  await shot(owner, "11-quality-report");

  // A second reviewer joins as editor.
  await owner.goto(`${base}/settings`);
  await owner.getByLabel("Role for the invite").selectOption("EDITOR");
  await owner.getByRole("button", { name: "Create invite link" }).click();
  const link = await owner.getByTestId("invite-link").inputValue();
  const reviewerContext = await browser.newContext();
  const reviewer = await reviewerContext.newPage();
  await reviewer.goto(link);
  await reviewer.getByRole("link", { name: "Sign up" }).click();
  await signUp(reviewer, uniqueEmail("rita"), "Rita Reviewer");
  await reviewer.getByRole("button", { name: "Accept and join" }).click();
  await expect(reviewer).toHaveURL(new RegExp(`${base}/datasets`), { timeout: 60_000 }); // a loaded machine renders slowly

  // Documents for synthesis, then an offline synthesis run assigned to both reviewers.
  await owner.goto(`${base}/datasets/import`);
  await owner.getByLabel("What is it?").selectOption("DOCUMENTS");
  await owner.getByLabel("Dataset name").fill("liver-docs");
  await owner.getByLabel("Choose the Documents file").setInputFiles(DOCS);
  await expect(owner.getByTestId("preview-docs")).toContainText("脂肪肝");
  await owner.getByRole("button", { name: "Import", exact: true }).click();
  await waitForImport(owner);
  await owner.goto(`${base}/synthesis`);
  await owner.getByLabel("Run name").fill("fatty liver queries");
  await owner.getByLabel("Queries per chunk").fill("3");
  await owner.getByLabel("Use the workspace's LLM (offline generator otherwise)").uncheck();
  await owner.getByLabel("Dana Data").check();
  await owner.getByLabel("Rita Reviewer").check();
  await owner.getByRole("button", { name: "Generate candidates" }).click();
  await expect(owner.getByTestId("focus-view")).toBeVisible({ timeout: 120_000 });
  const runUrl = owner.url();
  await shot(owner, "12-review-focus");

  // Both review ten candidates with the keyboard only; they disagree on some.
  await reviewWithKeyboard(owner, 10, 4);
  await reviewer.goto(runUrl);
  await reviewWithKeyboard(reviewer, 10, 3);

  // Agreement: a kappa for the pair appears.
  await owner.getByRole("button", { name: "Agreement" }).click();
  await expect(owner.getByTestId("kappa")).toHaveText(/^-?[01]\.\d\d$/);
  await shot(owner, "13-agreement");

  // Export accepted pairs to a new training version.
  await owner.getByRole("button", { name: "Export" }).click();
  await owner.getByRole("button", { name: "Export accepted pairs (training)" }).click();
  await expect(owner.getByTestId("export-result")).toContainText(/Exported \d+ rows as v1/);
  await owner.getByRole("link", { name: "Open it" }).click();
  await expect(owner.getByRole("heading", { name: /fatty liver queries-reviewed · v1/ })).toBeVisible();
  await shot(owner, "14-exported-version");
  await ownerContext.close();
  await reviewerContext.close();
});

test("a refused import shows file, line and field, and creates nothing", async ({ page }) => {
  const base = await newUserWithWorkspace(page, "Bad Input", "refusals");
  await page.goto(`${base}/datasets/import`);
  await page.getByLabel("Dataset name").fill("broken");
  await page.getByLabel("Choose the Pairs file file").setInputFiles({
    name: "broken.jsonl", mimeType: "application/json",
    buffer: Buffer.from([JSON.stringify({ query: "fine", pos: ["ok"] }), JSON.stringify({ query: "", pos: ["x"] }), "{not json"].join("\n")),
  });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("import-errors")).toContainText("broken.jsonl:2: query: ", { timeout: 60_000 });
  await expect(page.getByTestId("import-errors")).toContainText("broken.jsonl:3: ");
  await page.goto(`${base}/datasets`);
  await expect(page.getByText("No datasets yet")).toBeVisible();
});
