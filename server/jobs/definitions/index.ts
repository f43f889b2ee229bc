import type { JobDefinition } from "../types";
import { noopJob } from "./noop";
import { sleepJob } from "./sleep";
import { importDatasetJob } from "./import-dataset";
import { datasetQualityJob } from "./dataset-quality";
import { synthesizeJob } from "./synthesize";
import { trainJob } from "./train";
import { evaluateJob } from "./evaluate";
import { evaluateSubjectsJob } from "./evaluate-subjects";
import { serveDeploymentGpuJob, serveDeploymentJob } from "./serve-deployment";
import { mineVersionJob } from "./mine-version";
import { mineNegativesJob } from "./mine-negatives";
import { mergeCheckpointJob } from "./merge-checkpoint";
import { indexCorpusJob } from "./index-corpus";

/** Every job type the platform knows. A worker runs those whose `requires` it satisfies. */
export const jobDefinitions: JobDefinition<any>[] = [noopJob, sleepJob, importDatasetJob, datasetQualityJob, synthesizeJob, serveDeploymentJob, serveDeploymentGpuJob, trainJob, evaluateJob, evaluateSubjectsJob, mineVersionJob, mineNegativesJob, mergeCheckpointJob, indexCorpusJob];

export function getJobDefinition(type: string): JobDefinition<unknown> | undefined {
  return jobDefinitions.find((d) => d.type === type);
}
