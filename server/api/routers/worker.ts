import { createTRPCRouter, workspaceInput, workspaceProcedure } from "../trpc";
import { listWorkers } from "../../services/jobs/workers";

export const workerRouter = createTRPCRouter({
  list: workspaceProcedure("VIEWER").input(workspaceInput).query(({ input }) => listWorkers(input)),
});
