import { z } from "zod";
import { db, type DbOrTx } from "../../db";
import { AppError } from "../../lib/app-error";

/**
 * A comparison as a discussion target. The compare page's URL lists subjects (`base:…`, `run:…`, `ckpt:…`) and an
 * evaluation version; its normalised key — distinct subjects sorted, then the version — is the same whatever order
 * the subjects were shared in, so "A vs B" and "B vs A" on one version share one thread. A `Comparison` row is
 * saved the first time someone comments, and gives the thread a stable id for links in the activity feed.
 */
export const subjectKey = z.string().regex(/^(base|run|ckpt):[\w-]{1,64}$/, "base:<id>, run:<id> or ckpt:<id>");
export const comparisonRef = z.object({
  subjects: z.array(subjectKey).min(1).max(12),
  evalVersionId: z.string().min(1).nullable().default(null),
});
export type ComparisonRef = z.infer<typeof comparisonRef>;

export function comparisonKey({ subjects, evalVersionId }: { subjects: readonly string[]; evalVersionId: string | null }): string {
  return `${[...new Set(subjects)].sort().join(",")}|${evalVersionId ?? ""}`;
}

/** Every subject and the version must belong to the workspace (a thread cannot name another workspace's runs). */
async function assertInWorkspace(tx: DbOrTx, workspaceId: string, ref: ComparisonRef) {
  const ids = (kind: string) => ref.subjects.filter((s) => s.startsWith(`${kind}:`)).map((s) => s.slice(kind.length + 1));
  const [bases, runs, ckpts] = [ids("base"), ids("run"), ids("ckpt")];
  const [b, r, c, v] = await Promise.all([
    bases.length ? tx.baseModel.count({ where: { workspaceId, id: { in: bases } } }) : 0,
    runs.length ? tx.experiment.count({ where: { workspaceId, id: { in: runs } } }) : 0,
    ckpts.length ? tx.checkpoint.count({ where: { workspaceId, id: { in: ckpts } } }) : 0,
    ref.evalVersionId ? tx.datasetVersion.count({ where: { workspaceId, id: ref.evalVersionId } }) : 1,
  ]);
  if (b !== new Set(bases).size || r !== new Set(runs).size || c !== new Set(ckpts).size) throw new AppError("NOT_FOUND", "A compared model or run was not found.", "subjects");
  if (v !== 1) throw new AppError("NOT_FOUND", "Evaluation version not found.", "evalVersionId");
}

export async function findComparison(workspaceId: string, ref: ComparisonRef) {
  return db.comparison.findUnique({ where: { workspaceId_key: { workspaceId, key: comparisonKey(ref) } } });
}

export async function ensureComparison(tx: DbOrTx, workspaceId: string, userId: string, ref: ComparisonRef) {
  await assertInWorkspace(tx, workspaceId, ref);
  const key = comparisonKey(ref);
  return tx.comparison.upsert({
    where: { workspaceId_key: { workspaceId, key } },
    create: { workspaceId, key, subjects: [...ref.subjects], evalVersionId: ref.evalVersionId, createdById: userId },
    update: {},
  });
}
