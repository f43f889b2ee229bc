import type { DbOrTx } from "../db";

/**
 * The queue's SQL runs through Prisma's raw API so that an enqueue can join the caller's
 * transaction (the row the job serves and the job commit together, or neither does).
 */
export async function sql<T>(client: DbOrTx, text: string, ...params: unknown[]): Promise<T[]> {
  return client.$queryRawUnsafe<T[]>(text, ...params);
}

/** NOTIFY through the caller's transaction: delivered only if it commits. */
export async function notify(client: DbOrTx, channel: string, payload: string): Promise<void> {
  await client.$executeRawUnsafe(`SELECT pg_notify($1, $2)`, channel, payload);
}

export const JOB_CHANNEL = "m3_jobs";
export const CANCEL_CHANNEL = "m3_job_cancel";
