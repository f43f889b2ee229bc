import type { Tx } from "../db";
import { sql } from "./executor";

/**
 * Serialises the enqueues of one workspace until the caller's transaction ends, so that a limit checked by
 * counting rows (queued jobs, a running queue test) cannot be passed by two requests that counted at once.
 * Its own lock namespace (the claim's admission check uses 72707370), keyed by the workspace's hash: a
 * collision between two workspaces only makes them wait for each other, never miscounts.
 */
export async function lockWorkspaceQueue(tx: Tx, workspaceId: string): Promise<void> {
  await sql(tx, `SELECT pg_advisory_xact_lock(72707371, hashtext($1))::text AS locked`, workspaceId);
}
