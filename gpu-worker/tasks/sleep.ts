import { setTimeout as wait } from "node:timers/promises";
import type { JobHandler } from "./types";

interface Payload {
  ms: number;
  failWith?: string;
  steps: number;
}

/** Test job: sleeps in `steps` slices, reporting progress; stops at once when aborted. */
export const runSleep: JobHandler<Payload> = async ({ payload, signal, progress, log, workerId }) => {
  await log(`worker ${workerId}: sleeping ${payload.ms} ms`);
  for (let step = 1; step <= payload.steps; step++) {
    await wait(payload.ms / payload.steps, undefined, { signal });
    await progress(step / payload.steps, `step ${step}/${payload.steps}`);
  }
  if (payload.failWith) throw new Error(payload.failWith);
  return { slept: payload.ms };
};
