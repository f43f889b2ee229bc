import { existsSync } from "node:fs";
import { mineNegatives, type MineQuery } from "~/server/lib/retrieval/hn-mine";
import { writeFileAtomic } from "./atomic-write";
import { denseTopK } from "./dense-search";
import { InputDataError } from "./errors";
import { loadEncoder } from "./load";
import { readJsonl, readTextFile } from "./text-file";

/**
 * Hard-negative mining over a FlagEmbedding training file ({query, pos[], neg[]?, ...} per line), with
 * hn_mine semantics (server/lib/retrieval/hn-mine.ts): the candidate pool is the `candidatePool` file
 * (JSONL {text} or plain lines) or, without it, every pos and neg text of the input; dense retrieval of the
 * top `rangeEnd` pool texts per query; negatives sampled from ranks [rangeStart, rangeEnd) minus positives,
 * the query and likely false negatives; padded from the pool when short. With `teacherScores` the output
 * carries pos_scores / neg_scores (the model's dense scores) for distillation. Other fields are kept.
 */
export interface MiningParams {
  modelDir: string;
  input: string;
  output: string;
  candidatePool?: string;
  rangeStart?: number;
  rangeEnd?: number;
  negatives?: number;
  falseNegativeRatio?: number | null;
  teacherScores?: boolean;
  /** Prepended to queries before encoding (FlagEmbedding's query_instruction_for_retrieval). */
  queryInstruction?: string;
  queryMaxLength?: number;
  passageMaxLength?: number;
  seed?: number;
  backend?: "onnxruntime" | "torch";
  /** onnxruntime graph: fp32 (default, parity-tested) or the dynamic int8 export. */
  precision?: "fp32" | "int8";
  threads?: number;
}

export interface MiningHooks {
  progress?: (fraction: number, message: string) => Promise<void> | void;
  signal?: AbortSignal;
}

interface TrainRow {
  line: number;
  value: Record<string, unknown> & { query: string; pos: string[] };
}

function readTrainingFile(file: string): TrainRow[] {
  if (!existsSync(file)) throw new InputDataError(`training file ${file} does not exist`, file);
  const rows = readJsonl(file).map(({ line, value }) => {
    if (typeof value.query !== "string") throw new InputDataError(`${file}:${line}: "query" must be a string`, file);
    if (!Array.isArray(value.pos) || value.pos.length === 0 || !value.pos.every((x) => typeof x === "string"))
      throw new InputDataError(`${file}:${line}: "pos" must be a non-empty list of strings`, file);
    if (value.neg !== undefined && (!Array.isArray(value.neg) || !value.neg.every((x) => typeof x === "string")))
      throw new InputDataError(`${file}:${line}: "neg" must be a list of strings`, file);
    return { line, value: value as TrainRow["value"] };
  });
  if (rows.length === 0) throw new InputDataError(`training file ${file} is empty`, file);
  return rows;
}

function readPool(file: string): string[] {
  if (!existsSync(file)) throw new InputDataError(`candidate pool ${file} does not exist`, file);
  const text = readTextFile(file);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const isJsonl = lines.length > 0 && lines[0]!.trim().startsWith("{");
  return isJsonl
    ? readJsonl(file).map(({ line, value }) => {
        const t = value.text ?? value.content;
        if (typeof t !== "string") throw new InputDataError(`${file}:${line}: pool entry has no "text"`, file);
        return t;
      })
    : lines;
}

export async function runMining(p: MiningParams, hooks: MiningHooks = {}): Promise<{ summary: Record<string, unknown> }> {
  const rows = readTrainingFile(p.input);
  const poolTexts = p.candidatePool ? readPool(p.candidatePool) : rows.flatMap((r) => [...r.value.pos, ...((r.value.neg as string[] | undefined) ?? [])]);
  const pool = [...new Set(poolTexts)];
  if (pool.length === 0) throw new InputDataError(`the candidate pool ${p.candidatePool ?? p.input} is empty`, p.candidatePool ?? p.input);
  const rangeEnd = p.rangeEnd ?? 210;
  await hooks.progress?.(0, "loading model");
  const { encoder, maxLength } = await loadEncoder(p.modelDir, { backend: p.backend, precision: p.precision, threads: p.threads });
  try {
    const passageMax = Math.min(p.passageMaxLength ?? 512, maxLength);
    const queryMax = Math.min(p.queryMaxLength ?? 128, maxLength);
    const poolEnc = await encoder.encode(pool, {
      maxLength: passageMax,
      signal: hooks.signal,
      onProgress: (d, n) => hooks.progress?.((0.8 * d) / n, `encoded ${d}/${n} pool texts`),
    });
    const qEnc = await encoder.encode(rows.map((r) => (p.queryInstruction ?? "") + r.value.query), { maxLength: queryMax, signal: hooks.signal });
    const dim = encoder.dim;
    await hooks.progress?.(0.85, "searching");
    const ranked = await denseTopK(qEnc.dense, poolEnc.dense, dim, Math.min(rangeEnd, pool.length), { threads: p.threads });
    // Positive scores (false-negative guard and teacher scores): positives are encoded as passages.
    const poolIndex = new Map(pool.map((t, i) => [t, i]));
    const extra = [...new Set(rows.flatMap((r) => r.value.pos))].filter((t) => !poolIndex.has(t));
    const extraEnc = extra.length ? await encoder.encode(extra, { maxLength: passageMax, signal: hooks.signal }) : null;
    const extraIndex = new Map(extra.map((t, i) => [t, i]));
    const vec = (t: string): Float32Array => {
      const i = poolIndex.get(t);
      if (i !== undefined) return poolEnc.dense.subarray(i * dim, (i + 1) * dim);
      const j = extraIndex.get(t)!;
      return extraEnc!.dense.subarray(j * dim, (j + 1) * dim);
    };
    const dot = (qi: number, v: Float32Array) => {
      let s = 0;
      for (let t = 0; t < dim; t++) s += qEnc.dense[qi * dim + t]! * v[t]!;
      return s;
    };
    const mq: MineQuery[] = rows.map((r, qi) => ({
      query: r.value.query,
      pos: r.value.pos,
      ranked: ranked[qi]!,
      posScores: r.value.pos.map((t) => dot(qi, vec(t))),
    }));
    const mined = mineNegatives(pool, mq, {
      rangeStart: p.rangeStart,
      rangeEnd,
      negatives: p.negatives,
      falseNegativeRatio: p.falseNegativeRatio,
      seed: p.seed,
    });
    const lines = rows.map((r, qi) => {
      const m = mined[qi]!;
      const out: Record<string, unknown> = { ...r.value, neg: m.neg };
      if (p.teacherScores) {
        out.pos_scores = mq[qi]!.posScores;
        out.neg_scores = m.negIndices.map((i) => dot(qi, poolEnc.dense.subarray(i * dim, (i + 1) * dim)));
      }
      return JSON.stringify(out);
    });
    writeFileAtomic(p.output, lines.join("\n") + "\n");
    await hooks.progress?.(1, "done");
    const sum = (f: (m: (typeof mined)[number]) => number) => mined.reduce((a, m) => a + f(m), 0);
    return {
      summary: {
        output: p.output,
        queries: rows.length,
        pool: pool.length,
        negativesFromRange: sum((m) => m.fromRange),
        negativesPadded: sum((m) => m.padded),
        skippedAsFalseNegative: sum((m) => m.skippedAsFalseNegative),
        truncatedPool: poolEnc.truncated.length,
      },
    };
  } finally {
    await encoder.backend.close();
  }
}
