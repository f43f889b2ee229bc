import { z } from "zod";
import { defineJob } from "../types";

/** Test job: waits `ms`, reporting progress; fails with `failWith` when given. Honours cancel. */
export const sleepJob = defineJob({
  type: "sleep",
  payload: z
    .object({
      ms: z.number().int().min(0).max(3_600_000),
      failWith: z.string().max(500).optional(),
      steps: z.number().int().min(1).max(1000).default(10),
    })
    .strict(),
  maxAttempts: 3,
  leaseSeconds: 30,
  requires: ["cpu"],
});
