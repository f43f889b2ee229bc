import { exactDuplicates, type DuplicateStats } from "./duplicates";
import { lengthStats, type CountTokens, type LengthStats } from "./lengths";
import { trainEvalLeakage, splitTextsOf, type Leakage, type SplitTexts } from "./leakage";
import { findNearDuplicates, type NearDuplicateResult } from "./minhash";
import { qualityScore, type QualityWarning } from "./score";
import { posNegSimilarity, type PosNegSimilarity } from "./tfidf";

export interface QualityRow {
  query: string;
  pos: readonly string[];
  neg: readonly string[];
}

export interface QualityOptions {
  countTokens?: CountTokens;
  /**
   * Max lengths (tokens with a tokenizer, else characters); the first of each list drives the truncation rule.
   * Default: DEFAULT_*_MAX_LENGTHS with a tokenizer, none without.
   */
  queryMaxLengths?: readonly number[];
  passageMaxLengths?: readonly number[];
  /** The evaluation split to check leakage against. */
  evaluation?: SplitTexts;
  seed?: number;
  bins?: number;
}

export interface QualityReport {
  counts: { rows: number; positives: number; negatives: number; rowsWithoutNegatives: number };
  lengths: { query: LengthStats; positive: LengthStats; negative: LengthStats };
  duplicates: DuplicateStats;
  nearDuplicateQueries: Omit<NearDuplicateResult, "pairs"> & { pairs: NearDuplicateResult["pairs"] };
  posNeg: PosNegSimilarity;
  leakage: Leakage | null;
  score: number;
  pass: boolean;
  warnings: QualityWarning[];
}

/** Defaults: BGE-M3 fine-tuning commonly uses query max 64–512 and passage max 256–8192 tokens. */
export const DEFAULT_QUERY_MAX_LENGTHS = [64, 128, 512];
export const DEFAULT_PASSAGE_MAX_LENGTHS = [512, 1024, 8192];

/** The whole report for one training version (pure; the worker runs it and stores the JSON). */
export function buildQualityReport(rows: readonly QualityRow[], opts: QualityOptions = {}): QualityReport {
  // The defaults are token counts: without a tokenizer they would be compared with characters, so then truncation
  // is only measured (and scored) for max lengths the caller passes explicitly.
  const qMax = opts.queryMaxLengths ?? (opts.countTokens ? DEFAULT_QUERY_MAX_LENGTHS : []);
  const pMax = opts.passageMaxLengths ?? (opts.countTokens ? DEFAULT_PASSAGE_MAX_LENGTHS : []);
  const ls = (texts: Iterable<string>, maxLengths: readonly number[]) =>
    lengthStats(texts, { maxLengths, ...(opts.countTokens ? { countTokens: opts.countTokens } : {}), ...(opts.bins ? { bins: opts.bins } : {}) });
  const lengths = {
    query: ls(rows.map((r) => r.query), qMax),
    positive: ls(rows.flatMap((r) => r.pos), pMax),
    negative: ls(rows.flatMap((r) => r.neg), pMax),
  };
  const duplicates = exactDuplicates(rows);
  const near = findNearDuplicates(rows.map((r) => r.query), { seed: opts.seed ?? 42 });
  const posNeg = posNegSimilarity(rows);
  const leakage = opts.evaluation ? trainEvalLeakage(splitTextsOf(rows), opts.evaluation, { seed: opts.seed ?? 42 }) : null;
  const counts = {
    rows: rows.length,
    positives: rows.reduce((s, r) => s + r.pos.length, 0),
    negatives: rows.reduce((s, r) => s + r.neg.length, 0),
    rowsWithoutNegatives: rows.filter((r) => r.neg.length === 0).length,
  };
  const negTotal = counts.negatives;
  const passagesTotal = lengths.positive.chars.count + lengths.negative.chars.count;
  const passageTruncated = (lengths.positive.truncated[0]?.count ?? 0) + (lengths.negative.truncated[0]?.count ?? 0);
  const s = qualityScore({
    rows: rows.length,
    duplicateRate: duplicates.rate,
    posNegMeanCosine: posNeg.count ? posNeg.mean : null,
    negativesLookPositiveShare: negTotal ? posNeg.flaggedCount / negTotal : null,
    nearDuplicateQueryRate: near.rate,
    ...(leakage
      ? { leakageExact: leakage.queries.exact + leakage.passages.exact, leakageNearQueryRate: leakage.queries.nearRate }
      : {}),
    ...(lengths.query.truncated[0] ? { queryTruncatedShare: lengths.query.truncated[0].share } : {}),
    ...(pMax.length && passagesTotal ? { passageTruncatedShare: passageTruncated / passagesTotal } : {}),
    noNegativeShare: rows.length ? counts.rowsWithoutNegatives / rows.length : 0,
  });
  return {
    counts,
    lengths,
    duplicates,
    nearDuplicateQueries: { ...near, pairs: near.pairs.slice(0, 100) },
    posNeg,
    leakage,
    score: s.score,
    pass: s.pass,
    warnings: s.warnings,
  };
}
