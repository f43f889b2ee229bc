-- Per-replica serving counters sampled from each server's /metrics registry (deployment traffic charts, #20).
-- CreateTable
CREATE TABLE "DeploymentTrafficSample" (
    "id" BIGSERIAL NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "replica" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "counters" JSONB NOT NULL,

    CONSTRAINT "DeploymentTrafficSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DeploymentTrafficSample_deploymentId_at_idx" ON "DeploymentTrafficSample"("deploymentId", "at");
