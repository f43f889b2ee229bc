-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "BaseModel" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "dir" TEXT NOT NULL,
    "architecture" TEXT NOT NULL,
    "dim" INTEGER NOT NULL,
    "maxLength" INTEGER NOT NULL,
    "vocabSize" INTEGER NOT NULL,
    "layers" INTEGER NOT NULL,
    "parameters" BIGINT NOT NULL,
    "info" JSONB NOT NULL DEFAULT '{}',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BaseModel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExperimentGroup" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "grid" JSONB NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExperimentGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "groupId" TEXT,
    "clonedFromId" TEXT,
    "baseModelId" TEXT NOT NULL,
    "trainVersionId" TEXT NOT NULL,
    "evalVersionId" TEXT,
    "preset" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "bestMetric" TEXT NOT NULL DEFAULT 'dense:ndcg@10',
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "jobId" UUID,
    "totalSteps" INTEGER,
    "lastStep" INTEGER NOT NULL DEFAULT 0,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "phase" TEXT,
    "etaSeconds" INTEGER,
    "bestCheckpointId" TEXT,
    "error" TEXT,
    "outputDir" TEXT NOT NULL,
    "notes" TEXT,
    "createdById" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetricPoint" (
    "id" BIGSERIAL NOT NULL,
    "experimentId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    CONSTRAINT "MetricPoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "experimentId" TEXT,
    "step" INTEGER NOT NULL,
    "dir" TEXT NOT NULL,
    "tags" TEXT[],
    "aliases" TEXT[],
    "isBest" BOOLEAN NOT NULL DEFAULT false,
    "metrics" JSONB,
    "lineage" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "evalVersionId" TEXT NOT NULL,
    "experimentId" TEXT,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "jobId" UUID,
    "modes" TEXT[],
    "subjects" JSONB NOT NULL,
    "error" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    CONSTRAINT "Evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EvaluationResult" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "evalVersionId" TEXT NOT NULL,
    "subjectKind" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "mean" JSONB NOT NULL,
    "perQuery" JSONB NOT NULL,
    "errorAnalysis" JSONB,
    "projection" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EvaluationResult_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BaseModel_workspaceId_name_key" ON "BaseModel"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "ExperimentGroup_workspaceId_createdAt_idx" ON "ExperimentGroup"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Experiment_workspaceId_createdAt_idx" ON "Experiment"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Experiment_groupId_idx" ON "Experiment"("groupId");

-- CreateIndex
CREATE UNIQUE INDEX "MetricPoint_experimentId_name_step_key" ON "MetricPoint"("experimentId", "name", "step");

-- CreateIndex
CREATE UNIQUE INDEX "Checkpoint_experimentId_step_key" ON "Checkpoint"("experimentId", "step");

-- CreateIndex
CREATE INDEX "Checkpoint_workspaceId_createdAt_idx" ON "Checkpoint"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Evaluation_workspaceId_createdAt_idx" ON "Evaluation"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Evaluation_experimentId_idx" ON "Evaluation"("experimentId");

-- CreateIndex
CREATE UNIQUE INDEX "EvaluationResult_evaluationId_subjectKind_subjectId_mode_key" ON "EvaluationResult"("evaluationId", "subjectKind", "subjectId", "mode");

-- CreateIndex
CREATE INDEX "EvaluationResult_subjectKind_subjectId_evalVersionId_idx" ON "EvaluationResult"("subjectKind", "subjectId", "evalVersionId");
