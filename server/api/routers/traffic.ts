import { z } from "zod";
import { deploymentTraffic, TRAFFIC_RETENTION_MS } from "../../services/deployments/traffic";
import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";

/** A deployment's live traffic charts (per replica), from the counters its serving jobs sample. */
export const trafficRouter = createTRPCRouter({
  deployment: workspaceProcedure("VIEWER")
    .input(workspaceInput.extend({
      deploymentId: z.string().min(1),
      windowSeconds: z.number().int().min(30, "At least 30 s").max(TRAFFIC_RETENTION_MS / 1000, "At most one hour").default(600),
    }))
    .query(({ input }) => deploymentTraffic(input)),
});
