import { db } from "../../db";
import { pruneDerivedFolders } from "../../storage/derived";
import { defaultModelCandidates } from "./default-model";
import { realpathOrNull } from "./model-roots";

/**
 * The source folders whose derived folders (ONNX exports, int8/fp16 graphs; server/storage/derived.ts) a
 * workspace still needs, resolved as derived folders record them: its registered base models, the models its
 * deployments serve or can roll back to (stopped ones too: Redeploy and Rollback reuse them), and the default
 * base model, which jobs use without any row naming it.
 */
export async function referencedModelSources(workspaceId: string): Promise<Set<string>> {
  const [models, deployments] = await Promise.all([
    db.baseModel.findMany({ where: { workspaceId }, select: { dir: true } }),
    db.deployment.findMany({ where: { workspaceId }, select: { modelDir: true, previousModelDir: true } }),
  ]);
  const named = [
    ...models.map((m) => m.dir),
    ...deployments.flatMap((d) => [d.modelDir, d.previousModelDir]),
    ...defaultModelCandidates(),
  ];
  return new Set(named.flatMap((dir) => (dir ? [realpathOrNull(dir) ?? dir] : [])));
}

/** Removes the workspace's derived folders that nothing in it references any more; returns the keys removed. */
export async function cleanDerivedFolders(workspaceId: string): Promise<string[]> {
  return pruneDerivedFolders(workspaceId, await referencedModelSources(workspaceId));
}
