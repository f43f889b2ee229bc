import type { JobDefinition } from "../types";
import { noopJob } from "./noop";
import { sleepJob } from "./sleep";
import { importDatasetJob } from "./import-dataset";
import { datasetQualityJob } from "./dataset-quality";
import { synthesizeJob } from "./synthesize";

/** Every job type the platform knows. A worker runs those whose `requires` it satisfies. */
export const jobDefinitions: JobDefinition<any>[] = [noopJob, sleepJob, importDatasetJob, datasetQualityJob, synthesizeJob];

export function getJobDefinition(type: string): JobDefinition<unknown> | undefined {
  return jobDefinitions.find((d) => d.type === type);
}
