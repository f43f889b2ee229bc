import type { z } from "zod";

/** What a worker must have to run a job type. */
export type Capability = "cpu" | "torch" | "gpu";

/**
 * A job type: its name, the zod schema its JSON payload must satisfy (checked at enqueue
 * and again at claim, since rows can be edited or written by older code), and its defaults.
 */
export interface JobDefinition<TPayload = unknown> {
  type: string;
  payload: z.ZodType<TPayload>;
  /** Attempts before the job ends FAILED. */
  maxAttempts: number;
  /** Seconds a claim stays valid without a heartbeat. */
  leaseSeconds: number;
  requires: Capability[];
}

export function defineJob<TPayload>(def: JobDefinition<TPayload>): JobDefinition<TPayload> {
  return def;
}
