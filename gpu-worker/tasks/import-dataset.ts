import type { z } from "zod";
import type { importDatasetJob } from "../../server/jobs/definitions/import-dataset";
import { runImport } from "../../server/services/datasets/import/run-import";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof importDatasetJob.payload>;

/** Runs a dataset import on the worker (streaming; all-or-nothing; see runImport). */
export const runImportDataset: JobHandler<Payload> = async ({ payload, signal, progress, log }) => {
  await log(`importing ${payload.files.length} file(s) into "${payload.datasetName}" (${payload.kind.toLowerCase()})`);
  return runImport(payload, { signal, progress });
};
