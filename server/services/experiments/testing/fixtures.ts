import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { importBeir, importPairs } from "../../../testing/datasets";
import { DEMO_SIZES, medquadSplit as demoMedquadSplit } from "../../demo/demo-files";
import { MEDQUAD_JSONL } from "../../../testing/shared-data";

/**
 * Test data made from ../shared/data (MedQuAD): training pairs from the demo model's train side and an
 * evaluation set (BEIR layout) from its held-out side, so no focus leaks into evaluation.
 */
export const ROOT = path.resolve(import.meta.dirname, "../../../..");
export const DEMO_MODEL = path.join(ROOT, ".cache/demo-model");

export function ensureDemoModel() {
  if (!existsSync(path.join(DEMO_MODEL, "onnx", "model.onnx"))) execFileSync("bash", ["scripts/build-demo-model.sh"], { cwd: ROOT, stdio: "inherit" });
  return DEMO_MODEL;
}

/**
 * The demo's MedQuAD split (server/services/demo/demo-files.ts): held-out by the demo model's own focus rule, so
 * no focus the base model or the fine-tune trained on reaches the evaluation set, and query ids stay unique.
 */
export function medquadSplit(opts: { train: number; evalQueries: number; distractors: number }) {
  const split = demoMedquadSplit(readFileSync(MEDQUAD_JSONL, "utf8").split("\n"), { ...DEMO_SIZES, ...opts });
  return { ...split, train: split.train.map((r) => ({ query: r.question, pos: [r.answer] })) };
}

export async function importMedquad(workspaceId: string, userId: string, opts = { train: 400, evalQueries: 200, distractors: 300 }) {
  const data = medquadSplit(opts);
  const train = await importPairs(workspaceId, userId, "medquad-train", data.train);
  const evaluation = await importBeir(workspaceId, userId, "medquad-heldout", data);
  return { trainVersionId: train.versionId, evalVersionId: evaluation.versionId, data };
}
