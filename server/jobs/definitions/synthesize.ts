import { z } from "zod";
import { defineJob } from "../types";

/** Chunks a documents version, drafts queries per chunk (LLM or offline), scores round trips. */
export const synthesizeJob = defineJob({
  type: "synthesize",
  payload: z.object({ workspaceId: z.string().min(1), runId: z.string().min(1) }).strict(),
  maxAttempts: 2,
  leaseSeconds: 120,
  requires: ["cpu"],
});
