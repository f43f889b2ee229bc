import { existsSync } from "node:fs";
import path from "node:path";
import { env } from "../../env";
import { AppError } from "../../lib/app-error";
import { startImport } from "../datasets/imports";
import { storeLocalFile } from "../datasets/uploads";
import { getDeployment } from "./deployments";

/** The JSONL file where a deployment's /v1/feedback lines accumulate. */
export function feedbackPath(deploymentId: string): string {
  return path.resolve(env.ARTIFACTS_DIR, "feedback", `${deploymentId}.jsonl`);
}

/**
 * The article's continuous-learning loop: the feedback collected so far becomes a new version
 * of the RAG-log dataset "<deployment>-feedback" through the normal import job (clicked
 * documents → positives, unclicked below rank 3 → negatives).
 */
export async function importFeedback({ workspaceId, deploymentId, userId }: { workspaceId: string; deploymentId: string; userId: string }) {
  const deployment = await getDeployment({ workspaceId, deploymentId });
  const file = feedbackPath(deployment.id);
  if (!existsSync(file)) throw new AppError("BAD_REQUEST", "No feedback has been received yet", "deploymentId");
  const upload = await storeLocalFile({ workspaceId, userId, file, name: `${deployment.name}-feedback.jsonl` });
  return startImport({ workspaceId, userId, datasetName: `${deployment.name}-feedback`, kind: "RAG_LOG", files: [{ uploadId: upload.id, role: "logs" }] });
}
