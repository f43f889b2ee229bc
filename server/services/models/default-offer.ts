import path from "node:path";
import { realpathSync } from "node:fs";
import { db } from "../../db";
import { defaultBaseModelDir } from "./default-model";
import { listBaseModels, registerBaseModel } from "./registry";

/**
 * The platform's default base model (M3_BASE_MODEL, else the demo model) is offered in every workspace, so that
 * New run and Deployments never start from an empty list and a path to type. It is registered the first time a
 * workspace's models are listed with none registered and the default is ready (built, with an ONNX export);
 * a workspace that removes it while keeping other models does not get it back.
 */
export async function offerDefaultModel(workspaceId: string): Promise<void> {
  if ((await db.baseModel.count({ where: { workspaceId } })) > 0) return;
  const dir = defaultBaseModelDir();
  if (!dir) return; // not built yet: the page says what waits for it
  // Registered in the name of the workspace's first owner: the default is the operator's offer, not a member's act.
  const owner = await db.membership.findFirst({ where: { workspaceId, role: "OWNER" }, orderBy: { createdAt: "asc" }, select: { userId: true } });
  if (!owner) return;
  try {
    await registerBaseModel({ workspaceId, userId: owner.userId, name: path.basename(realpathSync(dir)), dir });
  } catch (error) {
    // Two first loads at once: the other one registered it (the name is unique per workspace).
    if ((await db.baseModel.count({ where: { workspaceId } })) === 0) throw error;
  }
}

/** The workspace's base models, with the default offered first when it has none (see above). */
export async function listBaseModelsWithDefault({ workspaceId, showDirs }: { workspaceId: string; showDirs: boolean }) {
  await offerDefaultModel(workspaceId);
  return listBaseModels({ workspaceId, showDirs });
}
