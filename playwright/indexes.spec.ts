import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { waitWhileAdvancing } from "./advancing";
import { newUserWithWorkspace, shot } from "./helpers";
import { DEFAULT_MODEL_NAME, demoModelDim, medquadFiles } from "./journey-data";
import { beirFiles, importDataset, expectDefaultModel } from "./studio-steps";

const DOCS = path.join(import.meta.dirname, "fixtures/liver-docs.jsonl");
const docIds = readFileSync(DOCS, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id);

test("index a documents version into pgvector and Qdrant, read the READMEs and the storage cost, download the files", async ({ page }) => {
  test.setTimeout(900_000);
  const base = await newUserWithWorkspace(page, "Ines Index", "rag-index");
  await importDataset(page, base, "Documents", "liver-docs", [["Documents", DOCS]]);
  await expectDefaultModel(page, base);

  await page.getByRole("link", { name: "Indexes", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Indexes", exact: true })).toBeVisible();
  await page.locator('input[name="name"]').fill("liver_docs");
  await expect(page.getByLabel("Documents", { exact: true })).toContainText(`liver-docs v1 · ${docIds.length} documents`);
  await page.getByLabel("Encoder").selectOption({ label: `base: ${DEFAULT_MODEL_NAME}` });
  await expect(page.getByTestId("store-pgvector")).toBeChecked();
  await expect(page.getByTestId("store-qdrant")).toBeChecked();
  await expect(page.getByTestId("store-milvus")).not.toBeChecked();
  await page.getByTestId("colbert").check();
  await page.locator('input[name="colbertDimensions"]').fill("32");
  await page.getByLabel("ColBERT values").selectOption("int8");
  await page.getByRole("button", { name: "Start indexing" }).click();
  await expect(page).toHaveURL(/\/indexes\/[0-9a-f-]{36}$/);

  // The job's status line ("Running · 40% · encoded 4 of 6 documents") changes while it works.
  const status = page.getByTestId("index-status");
  await waitWhileAdvancing(
    async () => {
      const text = (await status.textContent()) ?? "";
      expect(text, "the index job failed").not.toMatch(/^Failed/);
      return text.startsWith("Succeeded");
    },
    async () => (await status.textContent()) ?? "",
    "the index job",
    { capMs: 780_000 },
  );
  await expect(page.getByTestId("files-pgvector")).toContainText("documents.tsv");
  await expect(page.getByTestId("files-qdrant")).toContainText("points.jsonl");
  await expect(page.getByTestId("files-milvus")).toHaveCount(0);
  await expect(page.getByTestId("readme-pgvector")).toContainText("# pgvector export: liver_docs");
  await expect(page.getByTestId("readme-qdrant")).toContainText("MAX_SIM multivector, stored as int8");
  // Dense float32 bytes, and both ColBERT layouts at the chosen and the cut dimensions.
  const dim = demoModelDim();
  await expect(page.getByTestId("storage-cost")).toContainText(`${(dim * 4).toLocaleString("en")} B`);
  await expect(page.getByTestId("cost-colbert-32-int8")).toContainText("exported");
  await expect(page.getByTestId("cost-colbert-16-float")).toBeVisible();
  await shot(page, "40-index-done");

  // Qdrant points: one JSON point per line with named dense / sparse / ColBERT vectors.
  const [qdrant] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-qdrant-points.jsonl").click()]);
  expect(qdrant.suggestedFilename()).toBe("liver_docs-qdrant-points.jsonl");
  const points = readFileSync((await qdrant.path())!, "utf8").trim().split("\n");
  expect(points).toHaveLength(docIds.length);
  const point = JSON.parse(points[0]!) as { id: string; vector: { dense: number[]; sparse: { indices: number[]; values: number[] }; colbert: number[][] }; payload: { doc_id: string } };
  expect(point.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(point.payload.doc_id).toBe(docIds[0]);
  expect(point.vector.dense).toHaveLength(dim);
  expect(point.vector.sparse.indices.length).toBeGreaterThan(0);
  expect(point.vector.sparse.indices).toHaveLength(point.vector.sparse.values.length);
  expect(point.vector.colbert[0]).toHaveLength(32);
  expect(point.vector.colbert.flat().every((x) => Number.isInteger(x) && x >= -127 && x <= 127)).toBe(true);

  // pgvector COPY file: id, text, dense vector literal, 1-based sparsevec literal.
  const [pg] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-pgvector-documents.tsv").click()]);
  const first = readFileSync((await pg.path())!, "utf8").split("\n")[0]!.split("\t");
  expect(first).toHaveLength(4);
  expect(first[0]).toBe(docIds[0]);
  expect(first[2]!.split(",")).toHaveLength(dim);
  expect(first[2]).toMatch(/^\[-?\d/);
  expect(first[3]).toMatch(/^\{[1-9]\d*:[-\d.e]+(,[1-9]\d*:[-\d.e]+)*\}\/\d+$/);

  // The list shows the finished job.
  await page.getByRole("link", { name: "All indexes" }).click();
  await expect(page.getByTestId("indexes")).toContainText("liver_docs");
  await expect(page.getByTestId("indexes")).toContainText("Succeeded");
});

test("index an evaluation set with ColBERT and see each ColBERT option's recall cost on it", async ({ page }) => {
  test.setTimeout(600_000);
  const base = await newUserWithWorkspace(page, "Rita Recall", "rag-recall");
  await importDataset(page, base, "Evaluation set", "medquad-eval", beirFiles(medquadFiles({ trainPairs: 0, evalQueries: 20 })));
  await expectDefaultModel(page, base);

  await page.getByRole("link", { name: "Indexes", exact: true }).click();
  await page.locator('input[name="name"]').fill("medquad_eval");
  await page.getByLabel("Encoder").selectOption({ label: `base: ${DEFAULT_MODEL_NAME}` });
  await page.getByTestId("colbert").check();
  await page.locator('input[name="colbertDimensions"]').fill("32");
  await page.getByLabel("Evaluation set for the ColBERT recall cost").selectOption({ label: "medquad-eval v1" });
  await page.getByRole("button", { name: "Start indexing" }).click();
  await expect(page).toHaveURL(/\/indexes\/[0-9a-f-]{36}$/);

  const status = page.getByTestId("index-status");
  await waitWhileAdvancing(
    async () => {
      const text = (await status.textContent()) ?? "";
      expect(text, "the index job failed").not.toMatch(/^Failed/);
      return text.startsWith("Succeeded");
    },
    async () => (await status.textContent()) ?? "",
    "the index job",
    { capMs: 540_000 },
  );
  // Every ColBERT row has recall@10 and nDCG@10 with its change from the model's full float vectors.
  const cell = /^[01]\.\d{3} \(([+−]\d\.\d{3}|±0)\)$/;
  for (const row of ["32-float", "32-int8", "16-float", "16-int8", "8-float", "8-int8"]) {
    await expect(page.getByTestId(`recall-colbert-${row}`)).toHaveText(cell);
    await expect(page.getByTestId(`ndcg-colbert-${row}`)).toHaveText(cell);
  }
  await expect(page.getByTestId("recall-explain")).toContainText("Recall cost on medquad-eval v1: each of 20 judged queries");
  await shot(page, "41-index-colbert-recall");
});
