import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as wait } from "node:timers/promises";
import type { z } from "zod";
import { db } from "../../server/db";
import type { serveDeploymentJob } from "../../server/jobs/definitions/serve-deployment";
import type { AccuracyCheck } from "../../server/services/deployments/accuracy";
import { authenticateApiKey } from "../../server/services/deployments/api-keys";
import { feedbackPath } from "../../server/services/deployments/feedback";
import { isAccuracyGated, type Precision } from "../../server/services/deployments/precision";
import { refreshDeploymentStatus, updateReplica } from "../../server/services/deployments/replicas";
import { workingModelFolder } from "../../server/services/models/folder-access";
import { runAccuracyCheck } from "../deploy/accuracy-gate";
import { judgeParity, parityProbe } from "../deploy/parity-probe";
import { ensureServedGraph } from "../deploy/precision-graph";
import { recordReplicaTraffic } from "../deploy/traffic-snapshot";
import { servingDeviceFor } from "../deploy/serving-device";
import { unavailable } from "../serve/errors";
import { createEmbeddingServer } from "../serve/server";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof serveDeploymentJob.payload>;

const HEALTH_EVERY_MS = 3000;
const approvedFor = (check: unknown, modelDir: string) => {
  const c = check as AccuracyCheck | null;
  return !!c && c.modelDir === modelDir && !!c.approvedAt;
};

/**
 * One replica of a deployment: prepare the precision's graph (int8 and fp16: measure its accuracy cost once per
 * model for all replicas), start the embedding server, health + parity probe, then LIVE — or, for int8 and fp16,
 * AWAITING_APPROVAL until someone presses "Go live" (user keys get 503 meanwhile). While running it writes
 * a health check every few seconds (the router skips stale replicas) and follows model switches.
 * Files are read from, and graphs written to, the model's working folder (folder-access.ts): the workspace's
 * own checkpoint folder, else its derived folder — never a registered folder. `modelDir` stays the identity
 * of the model on the row and in the accuracy check.
 */
export const runServeDeployment: JobHandler<Payload> = async ({ jobId, workerId, payload, signal, progress, log, workDir }) => {
  const deployment = await db.deployment.findFirstOrThrow({ where: { id: payload.deploymentId, workspaceId: payload.workspaceId } });
  const index = payload.replica ?? 0;
  const precision = deployment.quantization as Precision;
  const setReplica = async (data: Parameters<typeof updateReplica>[2]) => {
    await updateReplica(deployment.id, index, data);
    await refreshDeploymentStatus(deployment.id);
  };
  await setReplica({ status: "STARTING", statusMessage: "exporting and loading the model", url: null, workerId, jobId, startedAt: new Date(), healthAt: null });
  let server: Awaited<ReturnType<typeof createEmbeddingServer>> | null = null;
  let healthTimer: NodeJS.Timeout | null = null;
  const gate = { approved: !isAccuracyGated(precision) || approvedFor(deployment.accuracyCheck, deployment.modelDir) };
  try {
    const servedDir = await workingModelFolder(deployment.workspaceId, deployment.modelDir);
    // A GPU worker serves on its GPU (onnxruntime CUDA, else PyTorch on CUDA); CPU otherwise (server/lib/serving-device.ts).
    const device = await servingDeviceFor(precision);
    await log(`serving on ${device.device}: ${device.backend === "torch" ? `PyTorch ${device.dtype}` : `onnxruntime ${device.provider} provider`}, ${precision} (${device.reason})`);
    const onnxFile = await ensureServedGraph(servedDir, precision, device, (line) => log(line), signal);
    if (isAccuracyGated(precision) && !gate.approved) {
      await runAccuracyCheck({ deploymentId: deployment.id, precision, device, modelDir: deployment.modelDir, filesDir: servedDir, evalVersionId: deployment.evalVersionId, jobId, workDir, signal, log: (l) => log(l) });
    }
    const host = process.env.DEPLOY_HOST ?? "127.0.0.1";
    const port = Number(process.env.DEPLOY_PORT ?? 0);
    // A key for the platform's own probes, never stored: the probe runs before any user key exists.
    const probeKey = `probe_${crypto.randomUUID()}`;
    server = await createEmbeddingServer({
      // `model` may be the deployment's name or id (or BGE-M3's own names; gpu-worker/serve/model-names.ts).
      modelDir: servedDir, onnxFile, device, host, port, modelName: deployment.name, modelAliases: [deployment.id],
      authenticate: async (token) => {
        if (token === probeKey) return { keyId: "platform-probe" };
        if (!gate.approved) throw unavailable("awaiting_go_live", `this deployment is waiting for its ${precision} accuracy cost to be approved (Go live)`);
        return authenticateApiKey(deployment, token);
      },
      ...(deployment.acceptFeedback ? {
        onFeedback: async (body) => {
          await mkdir(path.dirname(feedbackPath(deployment.id)), { recursive: true });
          await appendFile(feedbackPath(deployment.id), `${JSON.stringify(body)}\n`);
        },
      } : {}),
      log: (line) => void log(line),
    });
    const url = process.env.DEPLOY_PUBLIC_URL_BASE ? `${process.env.DEPLOY_PUBLIC_URL_BASE}:${new URL(server.url).port}` : server.url;
    const health = await fetch(`${server.url}/health`);
    if (!health.ok) throw new Error(`health check failed: HTTP ${health.status}`);
    // Served outputs against PyTorch's outputs of the same checkpoint folder (computed by the trainer package).
    const parity = await parityProbe(server.url, servedDir, probeKey, signal);
    const o = parity.outputs;
    await log(`parity probe (${precision}) vs PyTorch: max |served − PyTorch| dense ${o.dense.maxAbs.toExponential(2)}, sparse ${o.sparse.maxAbs.toExponential(2)}, ColBERT ${o.colbert.maxAbs.toExponential(2)}; min cosine ${parity.minCosine.toFixed(5)} on the probe set`);
    const verdict = judgeParity(precision, parity);
    if (!verdict.passed) throw new Error(verdict.message);
    const parityMessage = verdict.message;
    const beat = async () => {
      const ok = await fetch(`${server!.url}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (ok) await setReplica({ healthAt: new Date() }).catch(() => undefined);
      // The traffic charts' history: a lost sample only widens one interval, so a failed write is not fatal.
      await recordReplicaTraffic(server!.metrics, deployment.id, index).catch((e: unknown) => log(`traffic sample not written: ${(e as Error).message}`));
    };
    await setReplica({ status: gate.approved ? "LIVE" : "AWAITING_APPROVAL", url, statusMessage: gate.approved ? parityMessage : `${parityMessage}; waiting for Go live`, healthAt: new Date() });
    await recordReplicaTraffic(server.metrics, deployment.id, index).catch(() => undefined); // the first interval's start
    healthTimer = setInterval(() => void beat(), HEALTH_EVERY_MS);
    await progress(1, gate.approved ? `LIVE at ${url}` : `awaiting Go live at ${url}`);

    // Serve until cancelled; follow approval, rollbacks and model switches written to the row.
    let revision = deployment.revision;
    let pending = null as { modelDir: string; servedDir: string; label: string; revision: number } | null;
    let announced = false;
    while (!signal.aborted) {
      await wait(1000, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      const row = await db.deployment.findUnique({ where: { id: deployment.id }, select: { modelDir: true, modelLabel: true, revision: true, accuracyCheck: true } });
      if (!row) break;
      if (!gate.approved && approvedFor(row.accuracyCheck, deployment.modelDir)) {
        gate.approved = true;
        await setReplica({ status: "LIVE", statusMessage: parityMessage });
        await log(`go live approved: LIVE at ${url}`);
      }
      if (row.revision !== revision && row.revision !== pending?.revision) {
        await log(`switching to ${row.modelLabel}`);
        const nextDir = await workingModelFolder(deployment.workspaceId, row.modelDir);
        await ensureServedGraph(nextDir, precision, device, (line) => log(line), signal);
        if (isAccuracyGated(precision) && !approvedFor(row.accuracyCheck, row.modelDir)) {
          await runAccuracyCheck({ deploymentId: deployment.id, precision, device, modelDir: row.modelDir, filesDir: nextDir, evalVersionId: deployment.evalVersionId, jobId, workDir, signal, log: (l) => log(l) });
        }
        pending = { modelDir: row.modelDir, servedDir: nextDir, label: row.modelLabel, revision: row.revision };
        announced = false;
        continue;
      }
      if (!pending) continue;
      // A quantised model is swapped in only after its accuracy cost is approved; until then the old one serves.
      const fresh = isAccuracyGated(precision) ? (await db.deployment.findUnique({ where: { id: deployment.id }, select: { accuracyCheck: true } }))?.accuracyCheck : null;
      if (!isAccuracyGated(precision) || approvedFor(fresh, pending.modelDir)) {
        await server.swapModel(pending.servedDir);
        revision = pending.revision;
        await log(`now serving ${pending.label}`);
        pending = null;
      } else if (!announced) {
        await log(`${pending.label}: waiting for Go live before the switch`);
        announced = true;
      }
    }
    await log("stopping: draining in-flight requests");
    clearInterval(healthTimer);
    await server.close();
    server = null;
    await setReplica({ status: "STOPPED", statusMessage: "undeployed", url: null, healthAt: null });
    return { stopped: true };
  } catch (error) {
    if (healthTimer) clearInterval(healthTimer);
    await server?.close().catch(() => undefined);
    if (!signal.aborted) await setReplica({ status: "FAILED", statusMessage: (error as Error).message.slice(0, 500), url: null, healthAt: null });
    else await setReplica({ status: "STOPPED", statusMessage: "stopped", url: null, healthAt: null });
    throw error;
  }
};
