-- AlterEnum
ALTER TYPE "DeploymentStatus" ADD VALUE 'AWAITING_APPROVAL' BEFORE 'LIVE';

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN "replicas" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "evalVersionId" TEXT,
ADD COLUMN "accuracyCheck" JSONB;

-- CreateTable
CREATE TABLE "DeploymentReplica" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "jobId" UUID,
    "workerId" TEXT,
    "url" TEXT,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'PENDING',
    "statusMessage" TEXT,
    "startedAt" TIMESTAMP(3),
    "healthAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeploymentReplica_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrafficSplit" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "deploymentAId" TEXT NOT NULL,
    "deploymentBId" TEXT NOT NULL,
    "weightB" INTEGER NOT NULL DEFAULT 50,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TrafficSplit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrafficSplitStat" (
    "splitId" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "latencySumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latencyBuckets" INTEGER[],
    CONSTRAINT "TrafficSplitStat_pkey" PRIMARY KEY ("splitId","variant","windowStart")
);

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentReplica_deploymentId_index_key" ON "DeploymentReplica"("deploymentId", "index");

-- CreateIndex
CREATE INDEX "TrafficSplit_workspaceId_createdAt_idx" ON "TrafficSplit"("workspaceId", "createdAt");
