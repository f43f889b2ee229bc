import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * What the demo model is worth, as its build measured it (gpu-worker/trainer/demo/build.py → heldout.py): dense
 * nDCG@10 on the held-out rows of data/demo/ next to BM25's on the same queries, per language, written to
 * `heldout.json` in the model folder. The demo workspace shows them from there, so a rebuilt model shows its own
 * figures. Null when the file is missing (a model folder that is not the demo model, or one built before the
 * file existed), unreadable, or from another build than the folder's `.stamp`.
 */
const language = z.object({
  queries: z.number().int().nonnegative(),
  documents: z.number().int().nonnegative(),
  "dense_ndcg@10": z.number().min(0).max(1),
  "bm25_ndcg@10": z.number().min(0).max(1),
});
const file = z.object({ stamp: z.string(), languages: z.object({ en: language.optional(), zh: language.optional() }) });

export interface HeldoutFigure {
  language: "en" | "zh";
  queries: number;
  documents: number;
  dense: number;
  bm25: number;
}

export function readHeldoutFigures(modelDir: string | null): HeldoutFigure[] | null {
  if (!modelDir) return null;
  let parsed;
  try {
    parsed = file.safeParse(JSON.parse(readFileSync(path.join(modelDir, "heldout.json"), "utf8")));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  let stamp = "";
  try {
    stamp = readFileSync(path.join(modelDir, ".stamp"), "utf8").trim();
  } catch {
    return null;
  }
  if (stamp !== parsed.data.stamp) return null;
  const figures = (["en", "zh"] as const).flatMap((lang) => {
    const l = parsed.data.languages[lang];
    return l ? [{ language: lang, queries: l.queries, documents: l.documents, dense: l["dense_ndcg@10"], bm25: l["bm25_ndcg@10"] }] : [];
  });
  return figures.length ? figures : null;
}
