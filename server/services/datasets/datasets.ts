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
  const texts = await judgementTexts(versionId, rows);
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id.toString(), ordinal: r.ordinal, type: r.type, key: r.key, split: r.split, groupKey: r.groupKey, data: r.data,
      ...(r.type === "qrel" ? judgementText(r.data, texts) : {}),
    })),
  };
}

/** A judgement names its query and document by id; the page shows their text beside it (#20 item 7). */
async function judgementTexts(versionId: string, rows: { type: string; data: unknown }[]) {
  const qrels = rows.filter((r) => r.type === "qrel").map((r) => r.data as { queryId?: unknown; docId?: unknown });
  if (!qrels.length) return { queries: new Map<string, string>(), docs: new Map<string, string>() };
  const ids = (field: "queryId" | "docId") => [...new Set(qrels.map((q) => String(q[field] ?? "")))];
  const [queries, docs] = await Promise.all([
    db.datasetRecord.findMany({ where: { versionId, type: "query", key: { in: ids("queryId") } }, select: { key: true, text: true } }),
    db.datasetRecord.findMany({ where: { versionId, type: "doc", key: { in: ids("docId") } }, select: { key: true, text: true } }),
  ]);
  return { queries: new Map(queries.map((q) => [q.key ?? "", q.text])), docs: new Map(docs.map((d) => [d.key ?? "", d.text])) };
}

function judgementText(data: unknown, texts: Awaited<ReturnType<typeof judgementTexts>>) {
  const q = data as { queryId?: unknown; docId?: unknown };
  return { queryText: texts.queries.get(String(q.queryId ?? "")) ?? null, docText: texts.docs.get(String(q.docId ?? "")) ?? null };
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
