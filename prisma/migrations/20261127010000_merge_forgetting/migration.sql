-- AlterTable: forgetting guard (a general-domain evaluation version beside the domain one)
ALTER TABLE "Experiment" ADD COLUMN "generalEvalVersionId" TEXT;

-- AlterTable: merged checkpoints (W·tuned + (1−W)·base) point at their tuned source
ALTER TABLE "Checkpoint" ADD COLUMN "sourceCheckpointId" TEXT,
ADD COLUMN "mergeWeight" DOUBLE PRECISION;

-- CreateIndex
CREATE INDEX "Checkpoint_sourceCheckpointId_idx" ON "Checkpoint"("sourceCheckpointId");
