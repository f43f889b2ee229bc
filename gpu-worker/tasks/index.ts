import type { JobHandler } from "./types";
import { runNoop } from "./noop";
import { runSleep } from "./sleep";

/** Handler per job type. A type without a handler here is never claimed by this worker. */
export const handlers: Record<string, JobHandler<any>> = {
  noop: runNoop,
  sleep: runSleep,
};
