import { createHash } from "node:crypto";
import { readRecords } from "../../../lib/parsing/records";
import { ZH_DIALOGUE_CSV } from "../../../testing/shared-data";
import { importBeir } from "../../../testing/datasets";

/**
 * The general-domain evaluation set of the forgetting-guard tests: held-out Chinese patient questions → doctors'
 * answers (../shared/data/zh-medical-dialogue, liver/digestive department). The domain runs train on English
 * MedQuAD, so this set is another language and another source the fine-tune never sees — what a tune can
 * forget. Held out by the demo model's split rule (trainer/demo/data.py: sha1("zh:" + answer) % 10 == 0), so the
 * demo model's pre-training never saw these answers either.
 */
const clean = (s: unknown) => String(s ?? "").split(/\s+/).filter(Boolean).join(" ");
const isTest = (key: string) => BigInt(`0x${createHash("sha1").update(key, "utf8").digest("hex")}`) % BigInt(10) === BigInt(0);

export async function zhHeldOut(opts: { queries: number; distractors: number }) {
  const rows: Array<{ id: string; query: string; answer: string }> = [];
  let i = 0;
  for await (const { record } of readRecords(ZH_DIALOGUE_CSV, { format: "csv" })) {
    const n = i++;
    const title = clean(record.title);
    const ask = clean(record.ask);
    const answer = clean(record.answer);
    if (!(title || ask) || !answer || !isTest(`zh:${answer}`)) continue;
    rows.push({ id: `zh:${n}`, query: (!ask || ask === title ? title : `${title} ${ask}`).slice(0, 300), answer });
  }
  const stride = Math.max(1, Math.floor(rows.length / (opts.queries + opts.distractors)));
  const picked = rows.filter((_, k) => k % stride === 0).slice(0, opts.queries + opts.distractors);
  const docs = new Map<string, string>();
  for (const r of picked) if (!docs.has(r.answer)) docs.set(r.answer, `z${docs.size}`);
  const queries = picked.slice(0, opts.queries);
  return {
    corpus: [...docs.entries()].map(([text, id]) => ({ _id: id, text })),
    queries: queries.map((r) => ({ _id: r.id, text: r.query })),
    qrels: queries.map((r) => ({ qid: r.id, docid: docs.get(r.answer)! })),
  };
}

/** Imports the Chinese held-out set as an EVALUATION dataset (BEIR layout) and returns its version id. */
export async function importGeneralSet(workspaceId: string, userId: string, opts = { queries: 120, distractors: 200 }) {
  const data = await zhHeldOut(opts);
  const imported = await importBeir(workspaceId, userId, "zh-dialogue-general", data);
  return { generalVersionId: imported.versionId, data };
}
