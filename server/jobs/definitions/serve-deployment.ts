import { z } from "zod";
import { defineJob } from "../types";

const payload = z.object({
  workspaceId: z.string().min(1),
  deploymentId: z.string().min(1),
  /** Which replica (DeploymentReplica.index) this job serves. */
  replica: z.number().int().min(0).max(15).default(0),
}).strict();

/**
 * Serves one replica of a deployment for as long as the job runs: export to ONNX (and quantise)
 * if needed, start the embedding server, health check + parity probe, LIVE (an int8 deployment
 * first waits for its accuracy check and "Go live"); swaps models on rollback; cancel (undeploy)
 * drains and stops it. A worker that dies loses the lease and another worker restarts the
 * replica. Replicas of one deployment never share a worker (spreadKey).
 */
export const serveDeploymentJob = defineJob({
  type: "serve_deployment",
  payload,
  maxAttempts: 5,
  leaseSeconds: 30,
  requires: ["cpu"],
  service: true,
  spreadKey: (p) => ({ deploymentId: p.deploymentId }),
});

/** The same job for fp16 deployments: only workers that report a GPU claim it. */
export const serveDeploymentGpuJob = defineJob({ ...serveDeploymentJob, type: "serve_deployment_gpu", requires: ["gpu"] });
