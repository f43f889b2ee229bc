import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as wait } from "node:timers/promises";
import type { z } from "zod";
import { db } from "../../server/db";
import type { serveDeploymentJob } from "../../server/jobs/definitions/serve-deployment";
import { authenticateApiKey } from "../../server/services/deployments/api-keys";
import { feedbackPath } from "../../server/services/deployments/feedback";
import { ensureOnnx } from "../deploy/ensure-onnx";
import { parityProbe } from "../deploy/parity-probe";
import { createEmbeddingServer } from "../serve/server";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof serveDeploymentJob.payload>;

const PARITY_LIMIT = 1e-4;

export const runServeDeployment: JobHandler<Payload> = async ({ payload, signal, progress, log }) => {
  const deployment = await db.deployment.findFirstOrThrow({ where: { id: payload.deploymentId, workspaceId: payload.workspaceId } });
  const setStatus = (status: "STARTING" | "LIVE" | "FAILED" | "STOPPED", data: { url?: string | null; statusMessage?: string | null } = {}) =>
    db.deployment.update({ where: { id: deployment.id }, data: { status, ...data } });
  await setStatus("STARTING", { statusMessage: "exporting and loading the model", url: null });
  let server: Awaited<ReturnType<typeof createEmbeddingServer>> | null = null;
  try {
    await ensureOnnx(deployment.modelDir, (line) => log(line), signal);
    const host = process.env.DEPLOY_HOST ?? "127.0.0.1";
    const port = Number(process.env.DEPLOY_PORT ?? 0);
    // A key for the platform's own probes, never stored: the probe runs before any user key exists.
    const probeKey = `probe_${crypto.randomUUID()}`;
    server = await createEmbeddingServer({
      modelDir: deployment.modelDir, host, port, modelName: deployment.name,
      authenticate: async (token) => (token === probeKey ? { keyId: "platform-probe" } : authenticateApiKey(deployment, token)),
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
    const diff = await parityProbe(server.url, deployment.modelDir, probeKey);
    await log(`parity probe: max |served − engine| = ${diff.toExponential(2)} on the probe set`);
    if (diff > PARITY_LIMIT) throw new Error(`parity probe failed: ${diff.toExponential(2)} > ${PARITY_LIMIT}`);
    await setStatus("LIVE", { url, statusMessage: `parity ${diff.toExponential(1)}` });
    await progress(1, `LIVE at ${url}`);

    // Serve until cancelled; follow rollbacks and model switches written to the row.
    let revision = deployment.revision;
    while (!signal.aborted) {
      await wait(1000, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      const row = await db.deployment.findUnique({ where: { id: deployment.id }, select: { modelDir: true, modelLabel: true, revision: true } });
      if (row && row.revision !== revision) {
        await log(`switching to ${row.modelLabel}`);
        await ensureOnnx(row.modelDir, (line) => log(line), signal);
        await server.swapModel(row.modelDir);
        revision = row.revision;
        await log(`now serving ${row.modelLabel}`);
      }
    }
    await log("stopping: draining in-flight requests");
    await server.close();
    server = null;
    await setStatus("STOPPED", { statusMessage: "undeployed", url: null });
    return { stopped: true };
  } catch (error) {
    await server?.close().catch(() => undefined);
    if (!signal.aborted) await setStatus("FAILED", { statusMessage: (error as Error).message.slice(0, 500), url: null });
    else await setStatus("STOPPED", { statusMessage: "stopped", url: null });
    throw error;
  }
};
