import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getJobDefinition } from "../server/jobs/definitions";
import { isPermanentJobError } from "../server/jobs/types";
import type { JobRow } from "../server/jobs/job-row";
import {
  appendLog, completeJob, failJob, failPermanently, heartbeat, markCancelled, releaseJob, reportProgress,
} from "../server/jobs/lease";
import type { JobHandler } from "./tasks/types";

/** Why a running handler was aborted; decides what is written when it stops. */
export type AbortReason = "cancelled" | "shutdown" | "lease-lost";

export interface RunningJob {
  row: JobRow;
  abort(reason: AbortReason): void;
  done: Promise<void>;
}

type Logger = (message: string, fields?: Record<string, unknown>) => void;

/**
 * Runs one claimed job: validates its payload again, heartbeats at half the lease,
 * turns cancel/lease loss/shutdown into an AbortSignal, and writes the outcome with the
 * lease guard. Never throws: every failure ends as a row update (or none, if the lease
 * was lost).
 */
export function runJob(row: JobRow, workerId: string, handler: JobHandler<unknown>, logger: Logger): RunningJob {
  const controller = new AbortController();
  let reason: AbortReason | null = null;
  const abort = (why: AbortReason) => {
    if (reason) return;
    reason = why;
    controller.abort(new Error(why));
  };

  const heartbeatEveryMs = Math.max(250, (row.leaseSeconds * 1000) / 2);
  const timer = setInterval(() => {
    heartbeat(row.id, workerId)
      .then(({ held, cancelRequested }) => {
        if (!held) abort("lease-lost");
        else if (cancelRequested) abort("cancelled");
      })
      .catch((error: Error) => logger("heartbeat failed", { jobId: row.id, error: error.message }));
  }, heartbeatEveryMs);

  const done = (async () => {
    const workDir = path.join(os.tmpdir(), "m3-jobs", `${row.id}-${row.attempts}`);
    try {
      if (row.cancelRequested) abort("cancelled");
      const definition = getJobDefinition(row.type);
      const parsed = definition?.payload.safeParse(row.payload);
      if (!definition || !parsed?.success) {
        const issue = parsed?.error?.issues[0];
        const message = definition
          ? `invalid payload at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`
          : `unknown job type ${row.type}`;
        await failPermanently(row.id, workerId, message);
        return;
      }
      await mkdir(workDir, { recursive: true });
      const guarded = (ok: boolean) => {
        if (!ok) abort("lease-lost");
      };
      const result = await handler({
        jobId: row.id,
        workerId,
        payload: parsed.data,
        signal: controller.signal,
        workDir,
        progress: async (fraction, message) => guarded(await reportProgress(row.id, workerId, fraction, message)),
        log: async (line, level = "info") => guarded(await appendLog(row.id, workerId, line, level)),
      });
      if (reason === "cancelled") await markCancelled(row.id, workerId);
      else await completeJob(row.id, workerId, result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (reason === "cancelled") await markCancelled(row.id, workerId);
      else if (reason === "shutdown") await releaseJob(row.id, workerId);
      else if (reason === "lease-lost") logger("lease lost; result discarded", { jobId: row.id });
      else if (isPermanentJobError(error)) {
        await failPermanently(row.id, workerId, message);
        logger("job failed (not retryable)", { jobId: row.id, type: row.type });
      } else {
        const outcome = await failJob(row.id, workerId, message);
        logger(`job ${outcome}`, { jobId: row.id, type: row.type, error: message });
      }
    } finally {
      clearInterval(timer);
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  })().catch((error: Error) => logger("could not record job outcome", { jobId: row.id, error: error.message }));

  return { row, abort, done };
}
