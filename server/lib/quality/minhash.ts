import { mulberry32 } from "../metrics/rng";
import { jaccard, shingles } from "./text";

/**
 * MinHash + LSH near-duplicate detection.
 * Defaults: 120 hash functions in 20 bands of 6 rows. A pair with Jaccard J becomes a candidate with probability
 * 1 − (1 − J⁶)²⁰: 0.998 at J = 0.8, 0.93 at 0.7, 0.04 at 0.4, so nearly all pairs above the 0.8 threshold are found
 * while few dissimilar ones are compared. Every candidate is then verified with the exact Jaccard of the shingle sets
 * (`shingles`), so reported pairs are never false positives. Deterministic for a seed (hash family from mulberry32).
 * Bucket cap: a bucket with more than 64 members (e.g. thousands of identical queries) is verified as a star around
 * its first 8 members instead of all pairs, which keeps time linear; identical texts still all cluster together.
 */
export interface NearDuplicateOptions {
  threshold?: number;
  bands?: number;
  rows?: number;
  seed?: number;
}

export const NEAR_DUPLICATE_THRESHOLD = 0.8;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class MinHasher {
  private readonly seeds: Uint32Array;
  constructor(readonly numPerm: number, seed = 42) {
    const rand = mulberry32(seed);
    this.seeds = Uint32Array.from({ length: numPerm }, () => Math.floor(rand() * 0x100000000));
  }
  /** Signature of a shingle set (all 0xFFFFFFFF for an empty set). */
  signature(set: Iterable<string>): Uint32Array {
    const sig = new Uint32Array(this.numPerm).fill(0xffffffff);
    for (const s of set) {
      const x = fnv1a(s);
      for (let i = 0; i < this.numPerm; i++) {
        const h = fmix32(x ^ this.seeds[i]!);
        if (h < sig[i]!) sig[i] = h;
      }
    }
    return sig;
  }
}

/** LSH index over signatures; `candidates(sig)` returns ids sharing at least one band bucket. */
export class LshIndex {
  private readonly buckets: Array<Map<string, number[]>>;
  constructor(
    readonly bands: number,
    readonly rows: number,
  ) {
    this.buckets = Array.from({ length: bands }, () => new Map());
  }
  private key(sig: Uint32Array, b: number): string {
    return Array.from(sig.subarray(b * this.rows, (b + 1) * this.rows)).join(",");
  }
  add(id: number, sig: Uint32Array): void {
    for (let b = 0; b < this.bands; b++) {
      const k = this.key(sig, b);
      const list = this.buckets[b]!.get(k);
      if (list) list.push(id);
      else this.buckets[b]!.set(k, [id]);
    }
  }
  candidates(sig: Uint32Array): Set<number> {
    const out = new Set<number>();
    for (let b = 0; b < this.bands; b++) for (const id of this.buckets[b]!.get(this.key(sig, b)) ?? []) out.add(id);
    return out;
  }
  /** Member lists of buckets with ≥ 2 ids. */
  *groups(): Generator<number[]> {
    for (const m of this.buckets) for (const list of m.values()) if (list.length > 1) yield list;
  }
}

export interface NearDuplicateResult {
  /** Verified pairs [i, j, jaccard] with i < j (indices into the input). */
  pairs: Array<[number, number, number]>;
  /** Connected groups of near-duplicates (each sorted, size ≥ 2), ordered by first index. */
  clusters: number[][];
  /** Items that duplicate an earlier member of their cluster, over all items: Σ(|cluster| − 1) / n. */
  rate: number;
}

/** Near-duplicate texts within one list (e.g. the queries of a dataset). Texts without any token are skipped. */
export function findNearDuplicates(texts: readonly string[], opts: NearDuplicateOptions = {}): NearDuplicateResult {
  const threshold = opts.threshold ?? NEAR_DUPLICATE_THRESHOLD;
  const bands = opts.bands ?? 20;
  const rows = opts.rows ?? 6;
  const hasher = new MinHasher(bands * rows, opts.seed ?? 42);
  const index = new LshIndex(bands, rows);
  const sets = new Map<number, Set<string>>();
  texts.forEach((t, i) => {
    const sh = shingles(t);
    if (sh.size === 0) return;
    index.add(i, hasher.signature(sh));
  });
  const setOf = (i: number) => {
    let s = sets.get(i);
    if (!s) sets.set(i, (s = shingles(texts[i]!)));
    return s;
  };
  const parent = texts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const checked = new Set<string>();
  const pairs: Array<[number, number, number]> = [];
  const check = (a: number, b: number) => {
    const [i, j] = a < b ? [a, b] : [b, a];
    const k = `${i},${j}`;
    if (i === j || checked.has(k)) return;
    checked.add(k);
    const s = jaccard(setOf(i), setOf(j));
    if (s >= threshold) {
      pairs.push([i, j, s]);
      parent[find(j)] = find(i);
    }
  };
  for (const g of index.groups()) {
    if (g.length <= 64) {
      for (let x = 0; x < g.length; x++) for (let y = x + 1; y < g.length; y++) check(g[x]!, g[y]!);
    } else {
      for (let x = 0; x < 8; x++) for (let y = x + 1; y < g.length; y++) check(g[x]!, g[y]!);
    }
  }
  pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const byRoot = new Map<number, number[]>();
  texts.forEach((_, i) => {
    const r = find(i);
    const list = byRoot.get(r);
    if (list) list.push(i);
    else byRoot.set(r, [i]);
  });
  const clusters = [...byRoot.values()].filter((c) => c.length > 1).sort((a, b) => a[0]! - b[0]!);
  const dup = clusters.reduce((s, c) => s + c.length - 1, 0);
  return { pairs, clusters, rate: texts.length ? dup / texts.length : 0 };
}

/**
 * For each text in `probe`, whether some text in `reference` is a near-duplicate (exact Jaccard ≥ threshold after
 * LSH). Returns the indices of matching probe texts with their best match. Used for train/eval leakage.
 */
export function findCrossNearDuplicates(
  reference: readonly string[],
  probe: readonly string[],
  opts: NearDuplicateOptions = {},
): Array<{ probe: number; reference: number; jaccard: number }> {
  const threshold = opts.threshold ?? NEAR_DUPLICATE_THRESHOLD;
  const bands = opts.bands ?? 20;
  const rows = opts.rows ?? 6;
  const hasher = new MinHasher(bands * rows, opts.seed ?? 42);
  const index = new LshIndex(bands, rows);
  const refSets = new Map<number, Set<string>>();
  reference.forEach((t, i) => {
    const sh = shingles(t);
    if (sh.size) index.add(i, hasher.signature(sh));
  });
  const out: Array<{ probe: number; reference: number; jaccard: number }> = [];
  probe.forEach((t, p) => {
    const sh = shingles(t);
    if (!sh.size) return;
    let best: { reference: number; jaccard: number } | null = null;
    for (const r of [...index.candidates(hasher.signature(sh))].sort((a, b) => a - b)) {
      let rs = refSets.get(r);
      if (!rs) refSets.set(r, (rs = shingles(reference[r]!)));
      const j = jaccard(sh, rs);
      if (j >= threshold && (!best || j > best.jaccard)) best = { reference: r, jaccard: j };
    }
    if (best) out.push({ probe: p, ...best });
  });
  return out;
}
