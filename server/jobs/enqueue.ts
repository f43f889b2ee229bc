import { db, type DbOrTx, type Tx } from "../db";
import type { PrismaClient } from "../generated/prisma/client";
import { env } from "../env";
import { AppError } from "../lib/app-error";
import { getJobDefinition } from "./definitions";
import { JOB_CHANNEL, notify, sql } from "./executor";
import { lockWorkspaceQueue } from "./workspace-queue-lock";

export interface EnqueueOptions {
  type: string;
  payload: unknown;
  workspaceId?: string | null;
  priority?: number;
  runAt?: Date;
  maxAttempts?: number;
  leaseSeconds?: number;
}

/**
 * Validates the payload against the job type's schema and inserts the job. Pass the
 * transaction of the row the job serves as `client`. NOTIFY is transactional in
 * PostgreSQL: idle workers wake only once the transaction commits.
 *
 * A workspace job is refused once the workspace has WORKSPACE_MAX_QUEUED_JOBS queued: the count and the insert
 * run under the workspace's queue lock (held to the end of the caller's transaction, or of one opened here).
 */
export async function enqueueJob(options: EnqueueOptions, client: DbOrTx = db): Promise<{ id: string }> {
  const workspaceId = options.workspaceId;
  if (!workspaceId) return insertJob(options, client);
  const enqueueIn = async (tx: Tx) => {
    await lockWorkspaceQueue(tx, workspaceId);
    await assertQueueHasRoom(tx, workspaceId);
    return insertJob(options, tx);
  };
  return withinTransaction(client, enqueueIn);
}

/** Runs `work` in the caller's transaction, or in one of its own when given the root client. */
function withinTransaction<T>(client: DbOrTx, work: (tx: Tx) => Promise<T>): Promise<T> {
  // Prisma's transaction client is the root client without `$transaction`.
  return "$transaction" in client ? (client as PrismaClient).$transaction(work) : work(client as Tx);
}

/**
 * Refuses a new queued job once the workspace has WORKSPACE_MAX_QUEUED_JOBS queued. Call under the workspace's
 * queue lock (lockWorkspaceQueue), as enqueueJob and retryJob do, so that racing requests count one after another.
 */
export async function assertQueueHasRoom(tx: Tx, workspaceId: string): Promise<void> {
  const [row] = await sql<{ queued: number }>(
    tx,
    `SELECT count(*)::int AS queued FROM "Job" WHERE "workspaceId" = $1 AND status = 'QUEUED'`,
    workspaceId,
  );
  const limit = env.WORKSPACE_MAX_QUEUED_JOBS;
  if ((row?.queued ?? 0) >= limit) {
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `This workspace already has ${limit} queued jobs, its limit (WORKSPACE_MAX_QUEUED_JOBS): wait for them to run or cancel some, then try again.`,
      "workspaceId",
    );
  }
}

async function insertJob(options: EnqueueOptions, client: DbOrTx): Promise<{ id: string }> {
  const definition = getJobDefinition(options.type);
  if (!definition) throw new AppError("BAD_REQUEST", `Unknown job type "${options.type}"`, "type");
  const parsed = definition.payload.safeParse(options.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("BAD_REQUEST", `Invalid ${options.type} payload at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`, "payload");
  }
  const rows = await sql<{ id: string }>(
    client,
    `INSERT INTO "Job" (id, "workspaceId", type, payload, priority, "runAt", "maxAttempts", "leaseSeconds")
     VALUES (gen_random_uuid(), $1, $2, $3::jsonb, $4, $5, $6, $7)
     RETURNING id`,
    options.workspaceId ?? null,
    options.type,
    JSON.stringify(parsed.data),
    options.priority ?? 0,
    options.runAt ?? new Date(),
    options.maxAttempts ?? definition.maxAttempts,
    options.leaseSeconds ?? definition.leaseSeconds,
  );
  await notify(client, JOB_CHANNEL, options.type);
  return { id: rows[0]!.id };
}
