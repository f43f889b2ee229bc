/**
 * Retry delay as a SQL expression over the row's `attempts`: exponential from 2 s, capped
 * at 10 min, with jitter (50–100 %) so jobs that failed together do not retry together.
 * Used by both the failure path and the lease reaper, so they agree.
 */
export const RETRY_RUN_AT_SQL = `now() + make_interval(secs => LEAST(600, power(2, LEAST(attempts, 20))) * (0.5 + random() / 2))`;
