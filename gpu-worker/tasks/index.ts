import type { JobHandler } from "./types";
import { runNoop } from "./noop";
import { runSleep } from "./sleep";
import { runImportDataset } from "./import-dataset";
import { runDatasetQuality } from "./dataset-quality";
import { runSynthesize } from "./synthesize";
import { runTrain } from "./train";
import { runEvaluate } from "./evaluate";
import { runEvaluateSubjects } from "./evaluate-subjects";
import { runServeDeployment } from "./serve-deployment";
import { runMineVersion } from "./mine-version";
import { runMineNegatives } from "./mine-negatives";
import { runMergeCheckpoint } from "./merge-checkpoint";
import { runIndexCorpus } from "./index-corpus";

/** Handler per job type. A type without a handler here is never claimed by this worker. */
export const handlers: Record<string, JobHandler<any>> = {
  noop: runNoop,
  sleep: runSleep,
  import_dataset: runImportDataset,
  dataset_quality: runDatasetQuality,
  synthesize: runSynthesize,
  train: runTrain,
  evaluate: runEvaluate,
  evaluate_subjects: runEvaluateSubjects,
  serve_deployment: runServeDeployment,
  serve_deployment_gpu: runServeDeployment,
  mine_version_negatives: runMineVersion,
  mine_negatives: runMineNegatives,
  merge_checkpoint: runMergeCheckpoint,
  index_corpus: runIndexCorpus,
};
