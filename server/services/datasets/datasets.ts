import type { DatasetKind } from "../../generated/prisma/enums";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";

export async function listDatasets({ workspaceId }: { workspaceId: string }) {
  const datasets = await db.dataset.findMany({
    where: { workspaceId },
    orderBy: { createdAt: "desc" },
    include: { versions: { orderBy: { number: "desc" }, take: 1, select: { id: true, number: true, rowCount: true, createdAt: true, counts: true } } },
  });
  return datasets.map((d) => ({ id: d.id, name: d.name, kind: d.kind, description: d.description, createdAt: d.createdAt, latest: d.versions[0] ?? null }));
}

export async function getDataset({ workspaceId, datasetId }: { workspaceId: string; datasetId: string }) {
  const dataset = await db.dataset.findFirst({
    where: { id: datasetId, workspaceId },
    include: { versions: { orderBy: { number: "desc" }, select: { id: true, number: true, rowCount: true, counts: true, source: true, contentHash: true, createdAt: true, quality: true } } },
  });
  if (!dataset) throw new AppError("NOT_FOUND", "Dataset not found", "datasetId");
  return {
    ...dataset,
    versions: dataset.versions.map(({ quality, ...v }) => ({ ...v, qualityScore: (quality as { score?: number } | null)?.score ?? null })),
  };
}

export async function getVersion({ workspaceId, versionId }: { workspaceId: string; versionId: string }) {
  const version = await db.datasetVersion.findFirst({ where: { id: versionId, workspaceId }, include: { dataset: { select: { id: true, name: true, kind: true } } } });
  if (!version) throw new AppError("NOT_FOUND", "Dataset version not found", "versionId");
  const splits = await db.datasetRecord.groupBy({ by: ["type", "split"], where: { versionId }, _count: { _all: true } });
  return { ...version, splits: splits.map((s) => ({ type: s.type, split: s.split, count: s._count._all })) };
}

export async function listRecords({ workspaceId, versionId, type, split, search, offset, limit }: {
  workspaceId: string; versionId: string; type?: string; split?: string; search?: string; offset: number; limit: number;
}) {
  await getVersionOrThrow(workspaceId, versionId);
  const where = {
    versionId,
    ...(type ? { type } : {}),
    ...(split ? { split } : {}),
    ...(search ? { text: { contains: search, mode: "insensitive" as const } } : {}),
  };
  const [total, rows] = await Promise.all([
    db.datasetRecord.count({ where }),
    db.datasetRecord.findMany({ where, orderBy: [{ type: "asc" }, { ordinal: "asc" }], skip: offset, take: limit }),
  ]);
  return { total, rows: rows.map((r) => ({ id: r.id.toString(), ordinal: r.ordinal, type: r.type, key: r.key, split: r.split, groupKey: r.groupKey, data: r.data })) };
}

export async function getVersionOrThrow(workspaceId: string, versionId: string) {
  const version = await db.datasetVersion.findFirst({ where: { id: versionId, workspaceId }, include: { dataset: true } });
  if (!version) throw new AppError("NOT_FOUND", "Dataset version not found", "versionId");
  return version;
}

/** Finds or creates the named dataset; a name already used for another kind is refused. */
export async function ensureDataset(
  tx: Pick<typeof db, "dataset">,
  { workspaceId, name, kind, userId }: { workspaceId: string; name: string; kind: DatasetKind; userId: string },
) {
  const existing = await tx.dataset.findUnique({ where: { workspaceId_name: { workspaceId, name } } });
  if (existing && existing.kind !== kind) {
    throw new AppError("CONFLICT", `Dataset "${name}" already exists with kind ${existing.kind.toLowerCase()}`, "name");
  }
  return existing ?? tx.dataset.create({ data: { workspaceId, name, kind, createdById: userId } });
}
