import { existsSync } from "node:fs";
import path from "node:path";
import type { Qrels } from "~/server/lib/metrics/types";
import { InputDataError } from "./errors";
import { readJsonl, readTextFile } from "./text-file";

/**
 * Evaluation data: corpus + queries + graded qrels, in either layout:
 * - BEIR: corpus.jsonl {_id, title?, text}, queries.jsonl {_id, text}, qrels/<split>.tsv
 *   ("query-id corpus-id score" with a header line; TREC 4-column lines are accepted too);
 * - FlagEmbedding custom: corpus.jsonl {id, title?, text}, <split>_queries.jsonl {id, text},
 *   <split>_qrels.jsonl {qid, docid, relevance}.
 * Key aliases accepted: id/_id/docid/doc_id; text/content; qid/query-id/query_id; docid/corpus-id/doc_id;
 * relevance/score/rel. Passage text = "title text" (FlagEmbedding/BEIR convention).
 * Validation errors (InputDataError) name the file and the offending id; nothing is silently dropped.
 */
export interface EvalDoc {
  id: string;
  text: string;
}

export interface EvalData {
  corpus: EvalDoc[];
  /** Only the queries judged in the qrels, in qrels order. */
  queries: EvalDoc[];
  qrels: Qrels;
  files: { corpus: string; queries: string; qrels: string };
}

export interface EvalFiles {
  corpus: string;
  queries: string;
  qrels: string;
}

/** Finds the three files of a dataset folder (BEIR or FlagEmbedding layout) for a split. */
export function resolveEvalFiles(dir: string, split = "test"): EvalFiles {
  const corpus = path.join(dir, "corpus.jsonl");
  const candidates: EvalFiles[] = [
    { corpus, queries: path.join(dir, "queries.jsonl"), qrels: path.join(dir, "qrels", `${split}.tsv`) },
    { corpus, queries: path.join(dir, `${split}_queries.jsonl`), qrels: path.join(dir, `${split}_qrels.jsonl`) },
  ];
  for (const c of candidates) if (existsSync(c.corpus) && existsSync(c.queries) && existsSync(c.qrels)) return c;
  throw new InputDataError(
    `${dir}: no BEIR (corpus.jsonl, queries.jsonl, qrels/${split}.tsv) or FlagEmbedding (corpus.jsonl, ${split}_queries.jsonl, ${split}_qrels.jsonl) layout found`,
    dir,
  );
}

function pick(v: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const x = v[k];
    if (typeof x === "string") return x;
    if (typeof x === "number") return String(x);
  }
  return undefined;
}

function readDocs(file: string, kind: "corpus" | "queries"): EvalDoc[] {
  if (!existsSync(file)) throw new InputDataError(`${kind} file ${file} does not exist`, file);
  const seen = new Set<string>();
  const docs = readJsonl(file).map(({ line, value }) => {
    const id = pick(value, ["_id", "id", "docid", "doc_id", "qid", "query_id"]);
    if (id === undefined) throw new InputDataError(`${file}:${line}: no id field (_id or id)`, file);
    const text = pick(value, ["text", "content", "query"]);
    if (text === undefined) throw new InputDataError(`${file}:${line}: ${kind} entry "${id}" has no text`, file, id);
    if (seen.has(id)) throw new InputDataError(`${file}:${line}: duplicate id "${id}"`, file, id);
    seen.add(id);
    const title = pick(value, ["title"]);
    return { id, text: title ? `${title} ${text}`.trim() : text };
  });
  if (docs.length === 0) throw new InputDataError(`${kind} file ${file} is empty`, file);
  return docs;
}

function readQrels(file: string): Array<{ line: number; qid: string; docid: string; rel: number }> {
  if (!existsSync(file)) throw new InputDataError(`qrels file ${file} does not exist`, file);
  const rows: Array<{ line: number; qid: string; docid: string; rel: number }> = [];
  if (file.endsWith(".jsonl")) {
    for (const { line, value } of readJsonl(file)) {
      const qid = pick(value, ["qid", "query-id", "query_id"]);
      const docid = pick(value, ["docid", "corpus-id", "doc_id", "pid"]);
      const rel = Number(value.relevance ?? value.score ?? value.rel ?? 1);
      if (qid === undefined || docid === undefined) throw new InputDataError(`${file}:${line}: needs qid and docid`, file);
      rows.push({ line, qid, docid, rel });
    }
  } else {
    readTextFile(file)
      .split(/\r?\n/)
      .forEach((text, i) => {
        const f = text.trim().split(/\s+/);
        if (f.length < 3 || f[0] === "") return;
        if (i === 0 && (f[0] === "query-id" || f[0] === "qid")) return; // BEIR header
        const [qid, docid, relText] = f.length >= 4 ? [f[0]!, f[2]!, f[3]!] : [f[0]!, f[1]!, f[2]!];
        rows.push({ line: i + 1, qid, docid, rel: Number(relText) });
      });
  }
  for (const r of rows)
    if (!Number.isFinite(r.rel)) throw new InputDataError(`${file}:${r.line}: relevance of query "${r.qid}" doc "${r.docid}" is not a number`, file, r.qid);
  if (rows.length === 0) throw new InputDataError(`qrels file ${file} is empty`, file);
  return rows;
}

export function loadEvalData(files: EvalFiles): EvalData {
  const corpus = readDocs(files.corpus, "corpus");
  const allQueries = readDocs(files.queries, "queries");
  const rows = readQrels(files.qrels);
  const docIds = new Set(corpus.map((d) => d.id));
  const queryById = new Map(allQueries.map((q) => [q.id, q]));
  const qrels: Qrels = new Map();
  for (const r of rows) {
    if (!queryById.has(r.qid))
      throw new InputDataError(`${files.qrels}:${r.line}: query id "${r.qid}" is not in ${files.queries}`, files.qrels, r.qid);
    if (!docIds.has(r.docid))
      throw new InputDataError(`${files.qrels}:${r.line}: doc id "${r.docid}" (query "${r.qid}") is not in ${files.corpus}`, files.qrels, r.docid);
    let m = qrels.get(r.qid);
    if (!m) qrels.set(r.qid, (m = new Map()));
    if (m.has(r.docid)) throw new InputDataError(`${files.qrels}:${r.line}: duplicate judgement for query "${r.qid}" doc "${r.docid}"`, files.qrels, r.qid);
    m.set(r.docid, r.rel);
  }
  return { corpus, queries: [...qrels.keys()].map((q) => queryById.get(q)!), qrels, files };
}
