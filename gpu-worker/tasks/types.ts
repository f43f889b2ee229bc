/**
 * What a job handler receives. The worker owns every database write: a handler reports
 * through these callbacks and returns a JSON-serialisable result, stored on the job row.
 */
export interface JobContext<TPayload> {
  jobId: string;
  workerId: string;
  payload: TPayload;
  /** Aborted on cancel, on lost lease and on worker shutdown; handlers must stop promptly. */
  signal: AbortSignal;
  /** fraction in [0, 1], with a short human-readable message. */
  progress(fraction: number, message?: string): Promise<void>;
  log(line: string, level?: "info" | "warn" | "error"): Promise<void>;
  /** A folder private to this job attempt, for temporary files. */
  workDir: string;
}

export type JobHandler<TPayload> = (ctx: JobContext<TPayload>) => Promise<unknown>;
