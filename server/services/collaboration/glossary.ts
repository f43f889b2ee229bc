import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { normaliseTerm, termRecallTable, type PerQueryColumns } from "../../lib/metrics/term-recall";
import { latestResults } from "../experiments/evaluations";
import { resolveSubjects } from "../experiments/compare";
import { writeAudit } from "../workspaces/audit";

/**
 * The workspace glossary (domain terms) and domain-term recall computed from stored evaluation results.
 * The glossary is edited as a whole list (a text box, or a text file with one term per line), so a save
 * replaces it; terms are de-duplicated by their normalised form (NFKC, lower case), first spelling kept.
 */
export const GLOSSARY_MAX_TERMS = 2000;
export const TERM_MAX_CHARS = 100;

export async function listGlossary({ workspaceId }: { workspaceId: string }) {
  const rows = await db.glossaryTerm.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { term: true } });
  return rows.map((r) => r.term);
}

/** Terms from text: one per line (a BOM, blank lines and surrounding spaces ignored). */
export function parseGlossaryText(text: string): string[] {
  return text.replace(/^\uFEFF/, "").split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l !== "");
}

export async function setGlossary({ workspaceId, userId, terms }: { workspaceId: string; userId: string; terms: string[] }) {
  const seen = new Set<string>();
  const kept: Array<{ term: string; key: string }> = [];
  for (const raw of terms) {
    const term = raw.trim();
    if (term === "") continue;
    if (term.length > TERM_MAX_CHARS) throw new AppError("BAD_REQUEST", `A term is at most ${TERM_MAX_CHARS} characters: "${term.slice(0, 30)}…"`, "terms");
    const key = normaliseTerm(term);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push({ term, key });
  }
  if (kept.length > GLOSSARY_MAX_TERMS) throw new AppError("BAD_REQUEST", `At most ${GLOSSARY_MAX_TERMS} terms (got ${kept.length}).`, "terms");
  await db.$transaction(async (tx) => {
    await tx.glossaryTerm.deleteMany({ where: { workspaceId } });
    // createdAt is one value for the batch; the insertion order is kept by offsetting it by the index.
    const now = Date.now();
    await tx.glossaryTerm.createMany({ data: kept.map((k, i) => ({ workspaceId, term: k.term, key: k.key, createdAt: new Date(now + i) })) });
    await writeAudit(tx, { workspaceId, actorId: userId, action: "glossary.updated", details: { count: kept.length } });
  });
  return kept.map((k) => k.term);
}

/**
 * Domain-term recall for the compare page: the subjects' stored per-query results on `evalVersionId` in `mode`,
 * restricted to queries containing a glossary term (see server/lib/metrics/term-recall.ts).
 */
export async function domainTermRecall({ workspaceId, subjects: keys, evalVersionId, mode, topTerms }: {
  workspaceId: string; subjects: string[]; evalVersionId: string; mode: string; topTerms: number;
}) {
  const version = await db.datasetVersion.findFirst({ where: { id: evalVersionId, workspaceId }, select: { id: true } });
  if (!version) throw new AppError("NOT_FOUND", "Evaluation version not found.", "evalVersionId");
  const [subjects, terms] = await Promise.all([resolveSubjects(workspaceId, keys), listGlossary({ workspaceId })]);
  const results = await latestResults(evalVersionId, subjects.map((s) => ({ kind: s.kind, id: s.id })));
  const byKey = new Map(results.filter((r) => r.mode === mode).map((r) => [`${r.subjectKind}:${r.subjectId}`, r.perQuery as unknown as PerQueryColumns]));
  const columns = subjects.map((s) => byKey.get(`${s.kind}:${s.id}`) ?? null);
  const queries = terms.length
    ? await db.datasetRecord.findMany({ where: { versionId: evalVersionId, type: "query" }, select: { key: true, text: true } })
    : [];
  const queryText = new Map(queries.filter((q) => q.key !== null).map((q) => [q.key!, q.text]));
  return {
    glossarySize: terms.length,
    subjects: subjects.map((s) => ({ key: s.key, label: s.label })),
    ...termRecallTable({ queryText, terms, subjects: columns, topTerms }),
  };
}
