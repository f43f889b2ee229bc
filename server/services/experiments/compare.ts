import { z } from "zod";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { mulberry32 } from "../../lib/metrics/rng";
import { latestResults, type PerQuery, type SubjectKind } from "./evaluations";
import { forgettingSection } from "./forgetting";
import { metricSeries } from "./runs";

/**
 * Comparison of any subjects — base models (`base:<id>`), runs (`run:<id>`, their best or latest
 * checkpoint) and checkpoints (`ckpt:<id>`) — on one evaluation version. The first subject is the
 * reference: deltas, % change and paired randomization p-values (per-query, @10 metrics) are against it.
 * The subject list is the shareable URL (`?s=base:…,run:…`).
 */
const subjectKey = z.string().regex(/^(base|run|ckpt):[\w-]{1,64}$/, "base:<id>, run:<id> or ckpt:<id>");
export const compareInput = z.object({
  workspaceId: z.string().min(1),
  subjects: z.array(subjectKey).min(1).max(12),
  evalVersionId: z.string().min(1).optional(),
  /** General-domain version for the forgetting guard; defaults to the first run's. */
  generalVersionId: z.string().min(1).optional(),
  maxPoints: z.number().int().min(10).max(2000).default(300),
  /** p-values are computed for this mode only (the one on screen); null = every mode. */
  pMode: z.enum(["dense", "sparse", "colbert", "hybrid", "rrf"]).nullable().default("dense"),
});

export const perQueryInput = z.object({
  workspaceId: z.string().min(1),
  evalVersionId: z.string().min(1),
  a: subjectKey,
  b: subjectKey,
  mode: z.enum(["dense", "sparse", "colbert", "hybrid", "rrf"]).default("dense"),
  filter: z.enum(["all", "win", "loss", "tie"]).default("all"),
  search: z.string().max(200).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(200).default(50),
});

/**
 * The same paired sign-flip randomization test as server/lib/metrics/significance.ts (two-sided,
 * p = (1 + #extreme) / (1 + permutations)), made fast for thousands of queries: zero differences are
 * dropped (a flipped zero changes nothing) and one 32-bit random word gives 32 signs. Above
 * NORMAL_ABOVE differing queries the sign-flip statistic S = Σ ±d_i (mean 0, variance Σ d_i²) is
 * normal to within Monte-Carlo error (Lindeberg CLT), so p = erfc(|S_obs| / √(2 Σ d_i²)) exactly as
 * the permutation distribution's limit, in O(n) instead of O(n × permutations).
 */
export const NORMAL_ABOVE = 1000;

/** erfc(x) for x ≥ 0 (Numerical Recipes erfcc; relative error < 1.2e-7). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return y;
}
export function fastRandomizationTest(a: readonly number[], b: readonly number[], permutations: number, seed = 42): number {
  const nz: number[] = [];
  let obs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b[i]! - a[i]!;
    if (d !== 0) nz.push(d);
    obs += d;
  }
  if (nz.length === 0) return 1;
  if (nz.length > NORMAL_ABOVE) {
    let ss = 0;
    for (const x of nz) ss += x * x;
    return Math.max(erfc(Math.abs(obs) / Math.sqrt(2 * ss)), 1 / (permutations + 1));
  }
  const d = Float64Array.from(nz);
  const n = d.length;
  const absObs = Math.abs(obs) - 1e-12 * Math.max(1, Math.abs(obs));
  const rand = mulberry32(seed);
  let extreme = 0;
  for (let p = 0; p < permutations; p++) {
    let s = 0;
    for (let i = 0; i < n; i += 32) {
      let bits = (rand() * 4294967296) >>> 0;
      const end = Math.min(n, i + 32);
      for (let j = i; j < end; j++, bits >>>= 1) s += bits & 1 ? d[j]! : -d[j]!;
    }
    if (Math.abs(s) >= absObs) extreme++;
  }
  return (extreme + 1) / (permutations + 1);
}

/** Metrics with a p-value in the table (per-query values are stored for these). */
const P_METRICS = ["ndcg@10", "mrr@10", "recall@10", "P@10", "map@10"];

const TABLE_METRICS = ["P", "recall", "mrr", "ndcg", "map"].flatMap((m) => [1, 3, 5, 10, 20, 100].map((k) => `${m}@${k}`));
const PERMUTATIONS = 1000;

interface Resolved {
  key: string;
  kind: SubjectKind;
  id: string;
  label: string;
  experimentId: string | null;
  config: Record<string, unknown> | null;
  evalVersionId: string | null;
  baseModelId: string | null;
  generalEvalVersionId: string | null;
}

export async function resolveSubjects(workspaceId: string, keys: string[]): Promise<Resolved[]> {
  const out: Resolved[] = [];
  for (const key of keys) {
    const [kind, id] = key.split(":") as [string, string];
    if (kind === "base") {
      const m = await db.baseModel.findFirst({ where: { id, workspaceId } });
      if (!m) throw new AppError("NOT_FOUND", `Model ${id} not found.`, "subjects");
      out.push({ key, kind: "base", id, label: m.name, experimentId: null, config: { baseModel: m.name }, evalVersionId: null, baseModelId: m.id, generalEvalVersionId: null });
      continue;
    }
    let ckpt;
    let run;
    if (kind === "run") {
      run = await db.experiment.findFirst({ where: { id, workspaceId } });
      if (!run) throw new AppError("NOT_FOUND", `Run ${id} not found.`, "subjects");
      ckpt = run.bestCheckpointId
        ? await db.checkpoint.findUnique({ where: { id: run.bestCheckpointId } })
        : await db.checkpoint.findFirst({ where: { experimentId: run.id }, orderBy: { step: "desc" } });
    } else {
      ckpt = await db.checkpoint.findFirst({ where: { id, workspaceId } });
      if (!ckpt) throw new AppError("NOT_FOUND", `Checkpoint ${id} not found.`, "subjects");
      // A merge with the base has no run of its own: it belongs to its tuned source's run.
      const runId = ckpt.experimentId ?? (ckpt.sourceCheckpointId ? (await db.checkpoint.findUnique({ where: { id: ckpt.sourceCheckpointId } }))?.experimentId : null);
      run = runId ? await db.experiment.findUnique({ where: { id: runId } }) : null;
    }
    const merged = ckpt?.mergeWeight != null ? ` ⊕ base (W=${ckpt.mergeWeight})` : "";
    const name = run ? `${run.name}${ckpt ? ` @${ckpt.step}` : ""}${merged}` : `step-${ckpt?.step}${merged}`;
    out.push({
      key, kind: "checkpoint", id: ckpt?.id ?? `none-${id}`, label: name, experimentId: run?.id ?? null,
      config: run ? { preset: run.preset, ...(run.config as Record<string, unknown>) } : null, evalVersionId: run?.evalVersionId ?? null,
      baseModelId: run?.baseModelId ?? null, generalEvalVersionId: run?.generalEvalVersionId ?? null,
    });
  }
  return out;
}

/** Aligns b's per-query column to a's query order (0 for a query b lacks, per the metric contract). */
function aligned(a: PerQuery, b: PerQuery, metric: string): [number[], number[]] {
  const idx = new Map(b.ids.map((q, i) => [q, i]));
  const va = a.values[metric] ?? [];
  const vb = b.values[metric] ?? [];
  return [va, a.ids.map((q) => { const i = idx.get(q); return i === undefined ? 0 : (vb[i] ?? 0); })];
}

export async function compareRuns({ workspaceId, subjects: keys, evalVersionId, generalVersionId, maxPoints, pMode }: z.infer<typeof compareInput>) {
  const subjects = await resolveSubjects(workspaceId, keys);
  const versionId = evalVersionId ?? subjects.find((s) => s.evalVersionId)?.evalVersionId ?? null;
  const results = versionId ? await latestResults(versionId, subjects.map((s) => ({ kind: s.kind, id: s.id }))) : [];
  const modes = [...new Set(results.map((r) => r.mode))].sort((a, b) => ["dense", "sparse", "colbert", "hybrid", "rrf"].indexOf(a) - ["dense", "sparse", "colbert", "hybrid", "rrf"].indexOf(b));
  const byKey = new Map(results.map((r) => [`${r.subjectKind}:${r.subjectId}:${r.mode}`, r]));
  const find = (s: Resolved, mode: string) => byKey.get(`${s.kind}:${s.id}:${mode}`);
  const ref = subjects[0]!;

  const table: Record<string, Array<{ metric: string; values: Array<number | null>; delta: Array<number | null>; pct: Array<number | null>; p: Array<number | null> }>> = {};
  const errorAnalysis: Record<string, Array<unknown>> = {};
  for (const mode of modes) {
    const refRow = find(ref, mode);
    const rows = TABLE_METRICS.map((metric) => {
      const values = subjects.map((s) => ((find(s, mode)?.mean as Record<string, number> | undefined)?.[metric] ?? null));
      const r0 = values[0] ?? null;
      return {
        metric, values,
        delta: values.map((v, i) => (i === 0 || v === null || r0 === null ? null : v - r0)),
        pct: values.map((v, i) => (i === 0 || v === null || r0 === null || r0 === 0 ? null : ((v - r0) / r0) * 100)),
        p: values.map(() => null as number | null),
      };
    });
    if (refRow) {
      for (const row of rows) {
        if (!P_METRICS.includes(row.metric) || (pMode && mode !== pMode)) continue;
        subjects.forEach((s, i) => {
          if (i === 0) return;
          const r = find(s, mode);
          if (!r) return;
          const [a, b] = aligned(refRow.perQuery as unknown as PerQuery, r.perQuery as unknown as PerQuery, row.metric);
          if (a.length) row.p[i] = fastRandomizationTest(a, b, PERMUTATIONS);
        });
      }
    }
    table[mode] = rows;
    errorAnalysis[mode] = subjects.map((s) => {
      const ea = find(s, mode)?.errorAnalysis as { counts?: unknown; shares?: unknown; judgedQueries?: number; ok?: number; suggestions?: string[]; examples?: Record<string, unknown[]> } | null | undefined;
      return ea ? { counts: ea.counts, shares: ea.shares, judgedQueries: ea.judgedQueries, ok: ea.ok, suggestions: ea.suggestions, examples: Object.fromEntries(Object.entries(ea.examples ?? {}).map(([k, v]) => [k, v.slice(0, 3)])) } : null;
    });
  }

  // Config diff: every field of any subject; the page filters to "differences only".
  // Base models have no training config: "differs" compares the runs/checkpoints among themselves.
  const trained = subjects.filter((s) => s.kind === "checkpoint");
  const fields = [...new Set(trained.flatMap((s) => Object.keys(s.config ?? {})))].sort();
  const configDiff = fields.map((field) => {
    const values = subjects.map((s) => (s.kind === "checkpoint" && s.config && field in s.config ? JSON.stringify(s.config[field]) : null));
    const runValues = new Set(trained.map((s) => (s.config && field in s.config ? JSON.stringify(s.config[field]) : null)));
    return { field, values, differs: runValues.size > 1 };
  });

  const runIds = [...new Set(subjects.map((s) => s.experimentId).filter((x): x is string => !!x))];
  const curves = runIds.length
    ? await metricSeries({ workspaceId, experimentIds: runIds, names: ["loss", "lr", "grad_norm", "samples_per_s", "val_loss", "val_accuracy", "accuracy"], maxPoints })
    : [];

  const projections = subjects.map((s) => {
    const pr = find(s, "dense")?.projection as { x?: number[]; y?: number[]; points?: unknown } | null | undefined;
    return pr ?? null;
  });
  const queryCount = results[0] ? (results[0].perQuery as unknown as PerQuery).ids.length : 0;
  const generalId = generalVersionId ?? subjects.find((s) => s.generalEvalVersionId)?.generalEvalVersionId ?? null;
  const forgetting = await forgettingSection({ workspaceId, subjects, domainVersionId: versionId, generalVersionId: generalId && generalId !== versionId ? generalId : null });
  return {
    evalVersionId: versionId,
    subjects: subjects.map((s, i) => ({ key: s.key, kind: s.kind, id: s.id, label: s.label, experimentId: s.experimentId, evaluated: modes.some((m) => !!find(s, m)), index: i })),
    modes, table, configDiff, curves, errorAnalysis, projections, queryCount, permutations: PERMUTATIONS, forgetting,
  };
}

/**
 * Per-query view of b against a: rank of the first relevant document (from MRR@100) and nDCG@10 for both,
 * win/loss/tie by nDCG@10, filter + search on the query text, the query and its first relevant document.
 */
export async function perQueryView(input: z.infer<typeof perQueryInput>) {
  const [sa, sb] = await resolveSubjects(input.workspaceId, [input.a, input.b]);
  const version = await db.datasetVersion.findFirst({ where: { id: input.evalVersionId, workspaceId: input.workspaceId }, select: { id: true } });
  if (!version) throw new AppError("NOT_FOUND", "Evaluation version not found.", "evalVersionId");
  const rows = await latestResults(input.evalVersionId, [{ kind: sa!.kind, id: sa!.id }, { kind: sb!.kind, id: sb!.id }]);
  const ra = rows.find((r) => r.subjectKind === sa!.kind && r.subjectId === sa!.id && r.mode === input.mode);
  const rb = rows.find((r) => r.subjectKind === sb!.kind && r.subjectId === sb!.id && r.mode === input.mode);
  if (!ra || !rb) return { total: 0, counts: { win: 0, loss: 0, tie: 0 }, rows: [] };
  const pa = ra.perQuery as unknown as PerQuery;
  const pb = rb.perQuery as unknown as PerQuery;
  const [na, nb] = aligned(pa, pb, "ndcg@10");
  const [ma, mb] = aligned(pa, pb, "mrr@100");
  const rank = (mrr: number) => (mrr > 0 ? Math.round(1 / mrr) : null);
  let all = pa.ids.map((qid, i) => {
    const d = nb[i]! - na[i]!;
    return { qid, ndcgA: na[i]!, ndcgB: nb[i]!, rankA: rank(ma[i]!), rankB: rank(mb[i]!), outcome: (d > 1e-9 ? "win" : d < -1e-9 ? "loss" : "tie") as "win" | "loss" | "tie" };
  });
  const counts = { win: 0, loss: 0, tie: 0 };
  for (const r of all) counts[r.outcome]++;
  if (input.search?.trim()) {
    const hits = await db.datasetRecord.findMany({
      where: { versionId: input.evalVersionId, type: "query", OR: [{ text: { contains: input.search.trim(), mode: "insensitive" } }, { key: input.search.trim() }] },
      select: { key: true }, take: 10_000,
    });
    const keys = new Set(hits.map((h) => h.key));
    all = all.filter((r) => keys.has(r.qid));
  }
  if (input.filter !== "all") all = all.filter((r) => r.outcome === input.filter);
  all.sort((x, y) => Math.abs(y.ndcgB - y.ndcgA) - Math.abs(x.ndcgB - x.ndcgA) || x.qid.localeCompare(y.qid));
  const page = all.slice(input.offset, input.offset + input.limit);
  const qids = page.map((r) => r.qid);
  const [queries, qrels] = await Promise.all([
    db.datasetRecord.findMany({ where: { versionId: input.evalVersionId, type: "query", key: { in: qids } }, select: { key: true, text: true } }),
    db.datasetRecord.findMany({ where: { versionId: input.evalVersionId, type: "qrel", key: { in: qids } }, select: { key: true, data: true } }),
  ]);
  const firstDoc = new Map<string, string>();
  for (const q of qrels) {
    const d = q.data as { docId: string; relevance?: number };
    if (q.key && !firstDoc.has(q.key) && (d.relevance ?? 1) >= 1) firstDoc.set(q.key, d.docId);
  }
  const docs = await db.datasetRecord.findMany({ where: { versionId: input.evalVersionId, type: "doc", key: { in: [...new Set(firstDoc.values())] } }, select: { key: true, text: true } });
  const qText = new Map(queries.map((q) => [q.key, q.text]));
  const dText = new Map(docs.map((d) => [d.key, d.text]));
  return {
    total: all.length, counts,
    rows: page.map((r) => ({ ...r, query: qText.get(r.qid) ?? "", relevantDoc: dText.get(firstDoc.get(r.qid) ?? "")?.slice(0, 600) ?? "" })),
  };
}
