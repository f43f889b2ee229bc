import { z } from "zod";
import { defineJob } from "../types";

/**
 * Serves a deployment for as long as the job runs: export to ONNX if needed, start the
 * embedding server, health check + parity probe, LIVE; swaps models on rollback; cancel
 * (undeploy) drains and stops it. A worker that dies loses the lease and another worker
 * restarts the deployment.
 */
export const serveDeploymentJob = defineJob({
  type: "serve_deployment",
  payload: z.object({ workspaceId: z.string().min(1), deploymentId: z.string().min(1) }).strict(),
  maxAttempts: 5,
  leaseSeconds: 30,
  requires: ["cpu"],
  service: true,
});
