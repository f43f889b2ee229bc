import { createCallerFactory, createTRPCRouter } from "./trpc";
import { authRouter } from "./routers/auth";
import { userRouter } from "./routers/user";
import { workspaceRouter } from "./routers/workspace";
import { memberRouter } from "./routers/member";
import { inviteRouter } from "./routers/invite";
import { auditRouter } from "./routers/audit";
import { jobRouter } from "./routers/job";
import { workerRouter } from "./routers/worker";
import { datasetRouter } from "./routers/dataset";
import { synthesisRouter } from "./routers/synthesis";
import { experimentRouter } from "./routers/experiment";
import { modelRouter } from "./routers/model";
import { evaluationRouter } from "./routers/evaluation";
import { deploymentRouter } from "./routers/deployment";
import { demoRouter } from "./routers/demo";
import { commentRouter } from "./routers/comment";
import { activityRouter } from "./routers/activity";
import { glossaryRouter } from "./routers/glossary";
import { indexesRouter } from "./routers/indexes";
import { trafficRouter } from "./routers/traffic";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  user: userRouter,
  workspace: workspaceRouter,
  member: memberRouter,
  invite: inviteRouter,
  audit: auditRouter,
  job: jobRouter,
  worker: workerRouter,
  dataset: datasetRouter,
  synthesis: synthesisRouter,
  experiment: experimentRouter,
  model: modelRouter,
  evaluation: evaluationRouter,
  deployment: deploymentRouter,
  demo: demoRouter,
  comment: commentRouter,
  activity: activityRouter,
  glossary: glossaryRouter,
  indexes: indexesRouter,
  traffic: trafficRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
