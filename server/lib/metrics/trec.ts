import { MetricInputError } from "./evaluate";
import type { Qrels, Run } from "./types";

function lines(text: string): Array<[number, string[]]> {
  const out: Array<[number, string[]]> = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const t = line.trim();
      if (t !== "" && !t.startsWith("#")) out.push([i + 1, t.split(/\s+/)]);
    });
  return out;
}

/** TREC qrels: `qid iter docid rel` per line (iter ignored). Graded integers or decimals. */
export function parseTrecQrels(text: string, file = "qrels"): Qrels {
  const qrels: Qrels = new Map();
  for (const [ln, f] of lines(text)) {
    if (f.length !== 4) throw new MetricInputError(`${file}:${ln}: expected "qid 0 docid rel", got ${f.length} fields`);
    const [qid, , docid, relText] = f as [string, string, string, string];
    const rel = Number(relText);
    if (!Number.isFinite(rel)) throw new MetricInputError(`${file}:${ln}: relevance "${relText}" of query "${qid}" doc "${docid}" is not a number`);
    let m = qrels.get(qid);
    if (!m) qrels.set(qid, (m = new Map()));
    if (m.has(docid)) throw new MetricInputError(`${file}:${ln}: duplicate judgement for query "${qid}" doc "${docid}"`);
    m.set(docid, rel);
  }
  if (qrels.size === 0) throw new MetricInputError(`${file}: no judgements`);
  return qrels;
}

/** TREC run: `qid Q0 docid rank score tag` per line. The rank column is ignored (trec_eval does too). */
export function parseTrecRun(text: string, file = "run"): Run {
  const run: Run = new Map();
  const seen = new Map<string, Set<string>>();
  for (const [ln, f] of lines(text)) {
    if (f.length !== 6) throw new MetricInputError(`${file}:${ln}: expected "qid Q0 docid rank score tag", got ${f.length} fields`);
    const [qid, , docId, , scoreText] = f as [string, string, string, string, string];
    const score = Number(scoreText);
    if (!Number.isFinite(score)) throw new MetricInputError(`${file}:${ln}: score "${scoreText}" of query "${qid}" doc "${docId}" is not a finite number`);
    let s = seen.get(qid);
    if (!s) seen.set(qid, (s = new Set()));
    if (s.has(docId)) throw new MetricInputError(`${file}:${ln}: query "${qid}" retrieves doc "${docId}" twice`);
    s.add(docId);
    let docs = run.get(qid);
    if (!docs) run.set(qid, (docs = []));
    docs.push({ docId, score });
  }
  return run;
}

/** Writes a run in TREC format (ranks 1..n in the order given; pass ranked lists). */
export function formatTrecRun(run: Run, tag = "m3studio"): string {
  const out: string[] = [];
  for (const [qid, docs] of run) docs.forEach((d, i) => out.push(`${qid} Q0 ${d.docId} ${i + 1} ${d.score} ${tag}`));
  return out.join("\n") + "\n";
}

/** Writes qrels in TREC format. */
export function formatTrecQrels(qrels: Qrels): string {
  const out: string[] = [];
  for (const [qid, m] of qrels) for (const [d, r] of m) out.push(`${qid} 0 ${d} ${r}`);
  return out.join("\n") + "\n";
}
