import { z } from "zod";
import { defineJob } from "../types";

/** Test and health-check job: records one QueueProbe row (so tests can count executions). */
export const noopJob = defineJob({
  type: "noop",
  payload: z.object({ probe: z.boolean().default(false) }).strict(),
  maxAttempts: 3,
  leaseSeconds: 30,
  requires: ["cpu"],
});
