import { db, type DbOrTx } from "../db";
import { AppError } from "../lib/app-error";
import { getJobDefinition } from "./definitions";
import { JOB_CHANNEL, notify, sql } from "./executor";

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
 */
export async function enqueueJob(options: EnqueueOptions, client: DbOrTx = db): Promise<{ id: string }> {
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
