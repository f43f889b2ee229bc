import { expect, type Page } from "@playwright/test";
import { DEFAULT_MODEL_NAME } from "./journey-data";

/** Steps several specs take the same way through the UI: import data, register the demo model, fill a new run. */

export type DatasetKind = "Training pairs" | "Evaluation set" | "Documents";
/** A file for one role of the import wizard: a path on disk, or a generated buffer with its name. */
export type ImportFile = string | { name: string; buffer: Buffer };

/** Imports files through the wizard (one per role, e.g. "Pairs file", "Corpus") and waits until the job is done. */
export async function importDataset(page: Page, base: string, kind: DatasetKind, name: string, files: Array<[role: string, file: ImportFile]>) {
  await page.goto(`${base}/datasets/import`);
  await page.getByLabel("What is it?").selectOption({ label: kind });
  await page.getByLabel("Dataset name").fill(name);
  for (const [role, file] of files) {
    await page.getByLabel(`Choose the ${role} file`).setInputFiles(typeof file === "string" ? file : { ...file, mimeType: "application/json" });
  }
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("import-status")).toContainText("Done", { timeout: 90_000 });
}

/** The three files of a BEIR evaluation set, as the wizard names their roles. */
export function beirFiles(d: { corpus: Buffer; queries: Buffer; qrels: Buffer }): Array<[string, ImportFile]> {
  return [
    ["Corpus", { name: "corpus.jsonl", buffer: d.corpus }],
    ["Queries", { name: "queries.jsonl", buffer: d.queries }],
    ["Relevance judgements (qrels)", { name: "qrels.tsv", buffer: d.qrels }],
  ];
}

/** Registers the demo model on the experiments page (validated on registration). */
/** The default base model (the demo model here) is offered in a new workspace without anyone typing a path (#20). */
export async function expectDefaultModel(page: Page, base: string) {
  await page.goto(`${base}/experiments`);
  await expect(page.getByTestId("models")).toContainText(DEFAULT_MODEL_NAME);
  await expect(page.getByTestId("models")).toContainText("XLMRobertaModel");
}

/**
 * Opens the new-run form from the experiments page with the LoRA preset, names the run, shows every hyperparameter
 * and sets the given ones (input name → value), on CPU. The caller picks versions and queues it.
 */
export async function fillLoraRunForm(page: Page, name: string, hyperparameters: Record<string, string>) {
  await page.getByTestId("new-run").click();
  await page.locator('input[name="name"]').fill(name);
  await page.getByTestId("preset-lora_quick").check({ force: true });
  await expect(page.getByLabel("Training version")).not.toHaveValue("");
  await page.getByRole("button", { name: "Show all hyperparameters" }).click();
  for (const [field, value] of Object.entries(hyperparameters)) await page.locator(`input[name="${field}"]`).fill(value);
  await page.locator('select[name="device"]').selectOption("cpu");
}
