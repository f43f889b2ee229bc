import { expect, test, type Page } from "@playwright/test";
import { waitWhileAdvancing } from "./advancing";
import { shot, signUp, uniqueEmail } from "./helpers";
import { DEFAULT_MODEL_NAME } from "./journey-data";
import { latinWords } from "./latin-words";
import { expectDefaultModel, fillLoraRunForm, importDataset } from "./studio-steps";

/**
 * The Chinese UI shows no English (#20 item 4) where a new user met it: a version's quality warnings, job
 * messages, the deployment page, chart legends and the review's source label. The data is made in English (the
 * shared steps speak English), named in Chinese so that the user's own names are not English either; then the
 * user switches to 简体中文 and each page's visible text is checked for Latin words (latin-words.ts lists the
 * product and unit names allowed).
 */
const PAIRS = Buffer.from(
  Array.from({ length: 40 }, (_, i) => {
    const n = i % 32; // 8 exact duplicates, and no negatives: the quality report warns about both
    return JSON.stringify({ query: `乙肝患者第${n}号应该注意什么饮食？`, pos: [`第${n}号：乙型肝炎患者应清淡饮食，戒酒，多吃新鲜蔬菜，避免油腻食物，按时复查肝功能。`], neg: [] });
  }).join("\n") + "\n",
);
const DOCS = Buffer.from(
  Array.from({ length: 4 }, (_, i) => JSON.stringify({ id: `d${i}`, title: `肝病知识第${i}篇`, text: `脂肪肝第${i}篇：脂肪肝是肝细胞内脂肪堆积过多引起的病变。控制体重、减少饮酒、规律运动有助于改善脂肪肝。定期复查肝功能和腹部超声可以评估病情变化。` })).join("\n") + "\n",
);
const USER = "张医生";
// The user's own words that the pages show: the model folder's name.
const USER_DATA = [DEFAULT_MODEL_NAME];

/** `region`: a data-testid, or "main" for the whole page under the app's navigation. */
async function expectNoEnglish(page: Page, region: string, what: string) {
  const root = (region === "main" ? page.locator("main") : page.getByTestId(region)).first();
  await expect(root).toBeVisible();
  // Soft: one run lists every page's English, not only the first page's.
  expect.soft(await latinWords(root, USER_DATA), `English words in the Chinese UI: ${what} (${region})`).toEqual([]);
}

test("the Chinese UI: quality warnings, job messages, deployment page, chart legends and review source label have no English", async ({ page }) => {
  test.setTimeout(1_500_000); // the waits below fail on a stall, not on a slow machine
  page.setDefaultTimeout(45_000);

  // Data, in the English UI.
  await page.goto("/sign-up");
  await signUp(page, uniqueEmail("zh-ui"), USER);
  await expect(page).toHaveURL(/\/workspaces\/new/);
  await page.getByLabel("Workspace name").fill("肝病门诊");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByRole("heading", { name: "Datasets", exact: true })).toBeVisible();
  const base = new URL(page.url()).pathname.replace(/\/datasets$/, "");

  await importDataset(page, base, "Training pairs", "肝病训练对", [["Pairs file", { name: "pairs.jsonl", buffer: PAIRS }]]);
  await page.getByRole("link", { name: "Open the new version" }).click();
  await page.getByRole("button", { name: "Compute report" }).click();
  await expect(page.getByTestId("quality-score")).toHaveText(/^\d{1,3}$/, { timeout: 120_000 });
  await expect(page.getByTestId("quality-warnings")).not.toBeEmpty();
  const versionPage = page.url();

  await importDataset(page, base, "Documents", "肝病文档", [["Documents", { name: "docs.jsonl", buffer: DOCS }]]);
  await page.goto(`${base}/synthesis`);
  await page.getByLabel("Run name").fill("肝病查询");
  await page.getByLabel("Queries per chunk").fill("1");
  await page.getByLabel("Use the workspace's LLM (offline generator otherwise)").uncheck();
  await page.getByLabel(USER).check();
  await page.getByRole("button", { name: "Generate candidates" }).click();
  await expect(page.getByTestId("focus-view")).toBeVisible({ timeout: 180_000 });
  const reviewPage = page.url();

  await expectDefaultModel(page, base);
  await fillLoraRunForm(page, "肝病微调", { maxSteps: "8", saveSteps: "4", batchSize: "8", trainGroupSize: "2", maxPassageLength: "64" });
  await page.locator('select[name="trainVersionId"]').selectOption({ label: "肝病训练对 v1" });
  await page.getByTestId("queue-run").click();
  await expect(page).toHaveURL(/\/experiments\/run/);
  const runPage = page.url();
  const status = page.getByTestId("run-status");
  await waitWhileAdvancing(async () => (await status.innerText()).includes("Succeeded"), () => status.innerText(), "the short run");

  await page.goto(`${base}/deployments`);
  await page.getByLabel("Name", { exact: true }).fill("肝病向量");
  // The form ignores Deploy until the model list has loaded (a loaded machine is slow to answer it).
  await expect(page.getByLabel("Model", { exact: true }).locator("option", { hasText: DEFAULT_MODEL_NAME })).toHaveCount(1);
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByTestId("deployment-status")).toHaveText("Live", { timeout: 180_000 });
  const deploymentPage = page.url();

  // The same pages in Chinese.
  await page.getByLabel("Language").selectOption("zh");
  await expect(page.getByTestId("deployment-status")).toHaveText("运行中");

  await page.goto(versionPage);
  await expect(page.getByTestId("quality-warnings")).not.toBeEmpty();
  await expectNoEnglish(page, "quality-report", "the version's quality report and its warnings");
  await shot(page, "zh-01-quality");

  await page.goto(`${base}/settings/jobs`);
  await expect(page.getByTestId("jobs")).toContainText("已完成");
  await expectNoEnglish(page, "jobs", "the jobs list and its messages");
  await shot(page, "zh-02-jobs");

  await page.goto(deploymentPage);
  await expect(page.getByTestId("deployment-status")).toHaveText("运行中");
  await expectNoEnglish(page, "main", "the deployment page");
  await page.goto(`${base}/deployments`);
  await expectNoEnglish(page, "deployments", "the deployments list");
  await shot(page, "zh-03-deployment");

  await page.goto(runPage);
  await expect(page.getByTestId("charts")).toBeVisible();
  await expectNoEnglish(page, "charts", "the run's chart titles and legends");
  await shot(page, "zh-04-charts");

  await page.goto(reviewPage);
  await expect(page.getByTestId("focus-view")).toBeVisible();
  await expect(page.getByTestId("focus-view")).toContainText("来源");
  await expectNoEnglish(page, "focus-view", "the review card and its source label");
  await shot(page, "zh-05-review");
});
