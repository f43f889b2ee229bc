import { db } from "../../db";
import { FORGETTING_THRESHOLD } from "./schema";
import { latestResults, type SubjectKind } from "./evaluations";

/**
 * Forgetting guard: "domain gain vs general loss". Each compared model is scored on the domain evaluation version
 * and on a general-domain version, and both are set against the model's own base model (a base model against
 * itself): a fine-tune that gains on the domain but drops more than FORGETTING_THRESHOLD (relative, nDCG@10) on
 * the general set is flagged as forgetting — the case for a merge with the base (merges.ts).
 */
export interface ForgettingSubject {
  key: string;
  kind: SubjectKind;
  id: string;
  label: string;
  /** The base model the subject was tuned from (itself for a base model); null when unknown. */
  baseModelId: string | null;
}

export interface SideScores {
  ndcg: number | null;
  mrr: number | null;
  baseNdcg: number | null;
  baseMrr: number | null;
  dNdcg: number | null;
  dMrr: number | null;
  /** Relative nDCG@10 change against the base (0.05 = +5%). */
  relNdcg: number | null;
}

export interface ForgettingRow {
  key: string;
  label: string;
  domain: SideScores;
  general: SideScores;
  /** General nDCG@10 fell more than the threshold below the base; null when either value is missing. */
  forgetting: boolean | null;
}

const MODE_ORDER = ["dense", "sparse", "colbert", "hybrid", "rrf"];

export async function forgettingSection(opts: { workspaceId: string; subjects: ForgettingSubject[]; domainVersionId: string | null; generalVersionId: string | null }) {
  const { workspaceId, subjects, domainVersionId, generalVersionId } = opts;
  if (!generalVersionId) return null;
  // The general version may come from the URL: it must be an evaluation version of this workspace.
  const owned = await db.datasetVersion.findFirst({ where: { id: generalVersionId, workspaceId, dataset: { kind: "EVALUATION" } }, select: { id: true } });
  if (!owned) return null;
  const bases = [...new Set(subjects.map((s) => s.baseModelId).filter((x): x is string => !!x))].map((id) => ({ kind: "base" as const, id }));
  const wanted = [...subjects.map((s) => ({ kind: s.kind, id: s.id })), ...bases];
  const [domain, general] = await Promise.all([
    domainVersionId ? latestResults(domainVersionId, wanted) : Promise.resolve([]),
    latestResults(generalVersionId, wanted),
  ]);
  const index = (rows: typeof general) => new Map(rows.map((r) => [`${r.subjectKind}:${r.subjectId}:${r.mode}`, r.mean as Record<string, number>]));
  const d = index(domain);
  const g = index(general);
  const modes = [...new Set(general.map((r) => r.mode))].sort((a, b) => MODE_ORDER.indexOf(a) - MODE_ORDER.indexOf(b));

  const side = (m: Map<string, Record<string, number>>, s: ForgettingSubject, mode: string): SideScores => {
    const own = m.get(`${s.kind}:${s.id}:${mode}`);
    const base = s.baseModelId ? m.get(`base:${s.baseModelId}:${mode}`) : undefined;
    const ndcg = own?.["ndcg@10"] ?? null;
    const mrr = own?.["mrr@10"] ?? null;
    const baseNdcg = base?.["ndcg@10"] ?? null;
    const baseMrr = base?.["mrr@10"] ?? null;
    return {
      ndcg, mrr, baseNdcg, baseMrr,
      dNdcg: ndcg !== null && baseNdcg !== null ? ndcg - baseNdcg : null,
      dMrr: mrr !== null && baseMrr !== null ? mrr - baseMrr : null,
      relNdcg: ndcg !== null && baseNdcg ? (ndcg - baseNdcg) / baseNdcg : null,
    };
  };
  const rows: Record<string, ForgettingRow[]> = {};
  for (const mode of modes) {
    rows[mode] = subjects.map((s) => {
      const gen = side(g, s, mode);
      return { key: s.key, label: s.label, domain: side(d, s, mode), general: gen, forgetting: gen.relNdcg === null ? null : gen.relNdcg < -FORGETTING_THRESHOLD };
    });
  }
  const versions = await db.datasetVersion.findMany({ where: { id: { in: [domainVersionId, generalVersionId].filter((v): v is string => !!v) } }, select: { id: true, number: true, dataset: { select: { name: true } } } });
  const name = (id: string | null) => {
    const v = versions.find((x) => x.id === id);
    return v ? `${v.dataset.name} v${v.number}` : id;
  };
  return { domainVersionId, generalVersionId, domainVersionName: name(domainVersionId), generalVersionName: name(generalVersionId), threshold: FORGETTING_THRESHOLD, modes, rows };
}

export type ForgettingSection = NonNullable<Awaited<ReturnType<typeof forgettingSection>>>;
