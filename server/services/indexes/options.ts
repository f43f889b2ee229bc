import { db } from "../../db";
import { deployableModels } from "../deployments/deployments";

/**
 * What the "Index a corpus" form offers: the workspace's versions that hold documents (documents and evaluation
 * sets), the models it can encode with (default / base / checkpoint, by registry id, never a folder path) and its
 * deployments that are serving (their model is encoded by the worker's engine, like the served one).
 */
export async function indexOptions({ workspaceId }: { workspaceId: string }) {
  const versions = await db.datasetVersion.findMany({
    where: { workspaceId, dataset: { kind: { in: ["DOCUMENTS", "EVALUATION"] } } },
    orderBy: { createdAt: "desc" }, take: 50,
    select: { id: true, number: true, dataset: { select: { name: true, kind: true } } },
  });
  const docs = await db.datasetRecord.groupBy({ by: ["versionId"], where: { versionId: { in: versions.map((v) => v.id) }, type: "doc" }, _count: { _all: true } });
  const docCount = new Map(docs.map((d) => [d.versionId, d._count._all]));
  const [models, deployments] = await Promise.all([
    deployableModels({ workspaceId }),
    db.deployment.findMany({ where: { workspaceId, status: "LIVE" }, orderBy: { createdAt: "desc" }, take: 50, select: { id: true, name: true, modelLabel: true } }),
  ]);
  return {
    versions: versions
      .filter((v) => (docCount.get(v.id) ?? 0) > 0)
      .map((v) => ({ id: v.id, label: `${v.dataset.name} v${v.number}`, kind: v.dataset.kind, documents: docCount.get(v.id) ?? 0 })),
    models: [
      ...models.map((m) => ({ ref: m.ref, label: m.label })),
      ...deployments.map((d) => ({ ref: { kind: "deployment" as const, id: d.id }, label: `${d.name} (${d.modelLabel})` })),
    ],
  };
}
