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
  /**
   * Long-lived service (a deployment's server): runs beside regular jobs instead of taking
   * one of the worker's regular slots (WORKER_CONCURRENCY), up to WORKER_MAX_SERVICES.
   */
  service?: boolean;
  /**
   * Anti-affinity: a worker never claims a job whose payload contains the spread key of a job it
   * already runs (the replicas of one deployment land on different workers).
   */
  spreadKey?: (payload: TPayload) => Record<string, string>;
}

export function defineJob<TPayload>(def: JobDefinition<TPayload>): JobDefinition<TPayload> {
  return def;
}

/**
 * Thrown by a handler when retrying cannot help (bad input, a refused import): the job ends
 * FAILED at once with this message instead of burning its remaining attempts.
 */
export class PermanentJobError extends Error {
  readonly permanent = true;
}

export function isPermanentJobError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { permanent?: unknown }).permanent === true;
}
