import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ColumnMapping, DATASET_KINDS, FILE_ROLES } from "../../jobs/definitions/import-dataset";
import { CsvRecordParser } from "../../lib/parsing/csv";
import { clean, isHeldOut, MEDQUAD, medquadKey, ZH_CSV, zhKey } from "./demo-data";

/**
 * The demo's import plan, made from the demo data (data/demo/, or M3_DEMO_DATA): files written to a folder, each with the dataset it goes
 * into, its role and column mapping — exactly what a user would pick in the data studio. Used by the
 * "Create demo workspace" service (stored as uploads on the server) and by `npm run demo` (uploaded over HTTP).
 * No database here. Training rows come from the demo model's training side only, evaluation rows from its
 * held-out side (isHeldOut), so the base model has never seen the evaluation set.
 */
export interface PlanFile {
  path: string;
  role: (typeof FILE_ROLES)[number];
  mapping?: ColumnMapping;
}
export interface PlannedImport {
  datasetName: string;
  kind: (typeof DATASET_KINDS)[number];
  files: PlanFile[];
}
export interface DemoPlan {
  imports: PlannedImport[];
  /** Dataset names the journey uses: the training run, its held-out evaluation, synthesis documents. */
  train: string;
  evaluation: string;
  documents: string | null;
}

/** Sized to the shipped sample (data/demo/: 900 MedQuAD rows on the training side, 300 held out). */
export const DEMO_SIZES = { train: 800, evalQueries: 120, distractors: 180, zhDocuments: 40 };

interface MedquadRow { qid: string; question: string; answer: string; focus: string; qtype?: string }

/**
 * MedQuAD: `train` training rows spread over the file (stride, deterministic; many foci) and a BEIR evaluation set
 * of `evalQueries` held-out questions whose corpus is their answers plus those of `distractors` more held-out rows
 * (duplicate answers are one document).
 */
export function medquadSplit(lines: string[], sizes = DEMO_SIZES) {
  const rows = lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as MedquadRow).filter((r) => clean(r.question) && clean(r.answer));
  const trainRows = rows.filter((r) => !isHeldOut(medquadKey(r.focus)));
  const testRows = rows.filter((r) => isHeldOut(medquadKey(r.focus)));
  const stride = Math.max(1, Math.floor(trainRows.length / sizes.train));
  const train = trainRows.filter((_, i) => i % stride === 0).slice(0, sizes.train);
  const evalStride = Math.max(1, Math.floor(testRows.length / (sizes.evalQueries + sizes.distractors)));
  const picked = testRows.filter((_, i) => i % evalStride === 0).slice(0, sizes.evalQueries + sizes.distractors);
  const docs = new Map<string, string>();
  const docOf = new Map<MedquadRow, string>();
  for (const r of picked) {
    const key = r.answer.trim();
    if (!docs.has(key)) docs.set(key, `d${docs.size}`);
    docOf.set(r, docs.get(key)!);
  }
  // MedQuAD reuses some qids across its sources: query ids get a suffix where one repeats.
  const seen = new Map<string, number>();
  const queries = picked.slice(0, sizes.evalQueries).map((r) => {
    const n = seen.get(r.qid) ?? 0;
    seen.set(r.qid, n + 1);
    return { row: r, id: n === 0 ? `en:${r.qid}` : `en:${r.qid}#${n}` };
  });
  return {
    train: train.map((r) => ({ question: r.question, answer: r.answer, focus: r.focus })),
    corpus: [...docs.entries()].map(([text, id]) => ({ _id: id, text })),
    queries: queries.map((q) => ({ _id: q.id, text: q.row.question })),
    qrels: queries.map((q) => ({ qid: q.id, docid: docOf.get(q.row)! })),
  };
}

/**
 * The Chinese dialogue CSV cut to the demo model's training side, byte for byte: the header and every kept record
 * are copied as published (GB18030), so the import still has to detect the encoding. Records are counted as
 * Python's csv.DictReader does (blank lines skipped) so `zh:<index>` matches the demo model's splits.json.
 * Kept: title and answer non-empty, answer not held out.
 */
export function zhTrainingCsv(bytes: Uint8Array) {
  const decoder = new TextDecoder("gb18030");
  const parser = new CsvRecordParser(",", 1_000_000);
  const out: Uint8Array[] = [];
  let header: string[] | null = null;
  let pending: Uint8Array[] = [];
  let index = 0;
  const kept: { index: number; title: string; answer: string }[] = [];
  const heldOut: { index: number; title: string; ask: string; answer: string }[] = [];
  let start = 0;
  for (let line = 1; start < bytes.length; line++) {
    const lf = bytes.indexOf(0x0a, start);
    const end = lf < 0 ? bytes.length : lf + 1;
    const raw = bytes.subarray(start, end);
    start = end;
    let body = raw.subarray(0, raw.length - (lf < 0 ? 0 : 1));
    if (body[body.length - 1] === 0x0d) body = body.subarray(0, body.length - 1);
    const text = decoder.decode(body);
    if (!parser.pending && text === "") continue;
    pending.push(raw);
    const record = parser.push(text, line);
    if (!record) continue;
    const lines = pending;
    pending = [];
    if (!header) {
      header = record.fields;
      out.push(...lines);
      continue;
    }
    const i = index++;
    if (record.error) continue;
    const field = (name: string) => record.fields[header!.indexOf(name)] ?? "";
    const [title, ask, answer] = [clean(field("title")), clean(field("ask")), clean(field("answer"))];
    if (!answer || !(title || ask)) continue;
    if (isHeldOut(zhKey(answer))) {
      heldOut.push({ index: i, title, ask, answer });
      continue;
    }
    if (!title) continue;
    kept.push({ index: i, title, answer });
    out.push(...lines);
  }
  const last = out[out.length - 1];
  if (last && last[last.length - 1] !== 0x0a) out.push(new Uint8Array([0x0a]));
  return { bytes: Buffer.concat(out), kept, heldOut };
}

/** Writes the demo's files into `dir` and returns the plan (datasets, roles, mappings). */
export async function writeDemoFiles(dir: string, dataDir: string, sizes = DEMO_SIZES): Promise<DemoPlan> {
  await mkdir(dir, { recursive: true });
  const at = (name: string) => path.join(dir, name);
  const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

  const en = medquadSplit((await readFile(path.join(dataDir, MEDQUAD), "utf8")).split("\n"), sizes);
  await writeFile(at("medquad-train.jsonl"), jsonl(en.train));
  await writeFile(at("medquad-heldout-corpus.jsonl"), jsonl(en.corpus));
  await writeFile(at("medquad-heldout-queries.jsonl"), jsonl(en.queries));
  await writeFile(at("medquad-heldout-qrels.tsv"), "query-id\tcorpus-id\tscore\n" + en.qrels.map((r) => `${r.qid}\t${r.docid}\t1`).join("\n") + "\n");

  const zh = zhTrainingCsv(await readFile(path.join(dataDir, ZH_CSV)));
  await writeFile(at("liver-digestive.train.gb18030.csv"), zh.bytes);
  // Synthesis drafts queries for documents: a few training-side answers (never the held-out ones).
  await writeFile(at("zh-medical-docs.jsonl"), jsonl(zh.kept.slice(0, sizes.zhDocuments).map((r) => ({ id: `zh-${r.index}`, title: r.title, text: r.answer }))));

  return {
    train: "medquad-train",
    evaluation: "medquad-heldout",
    documents: "zh-medical-docs",
    imports: [
      { datasetName: "medquad-train", kind: "TRAINING", files: [{ path: at("medquad-train.jsonl"), role: "pairs", mapping: { query: "question", positive: "answer", group: "focus" } }] },
      {
        datasetName: "medquad-heldout", kind: "EVALUATION",
        files: [
          { path: at("medquad-heldout-corpus.jsonl"), role: "corpus" },
          { path: at("medquad-heldout-queries.jsonl"), role: "queries" },
          { path: at("medquad-heldout-qrels.tsv"), role: "qrels" },
        ],
      },
      { datasetName: "zh-medical-dialogue", kind: "TRAINING", files: [{ path: at("liver-digestive.train.gb18030.csv"), role: "pairs", mapping: { query: "title", positive: "answer" } }] },
      { datasetName: "zh-medical-docs", kind: "DOCUMENTS", files: [{ path: at("zh-medical-docs.jsonl"), role: "docs" }] },
    ],
  };
}
