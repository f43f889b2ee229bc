import type { z } from "zod";
import type { importDatasetJob } from "../../server/jobs/definitions/import-dataset";
import { runImport } from "../../server/services/datasets/import/run-import";
import { ImportError } from "../../server/lib/parsing";
import { PermanentJobError } from "../../server/jobs/types";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof importDatasetJob.payload>;

/** Runs a dataset import on the worker (streaming; all-or-nothing; see runImport). */
export const runImportDataset: JobHandler<Payload> = async ({ payload, signal, progress, log }) => {
  await log(`importing ${payload.files.length} file(s) into "${payload.datasetName}" (${payload.kind.toLowerCase()})`);
  try {
    return await runImport(payload, { signal, progress });
  } catch (error) {
    // Refused input stays refused: no retry.
    if (error instanceof ImportError) throw new PermanentJobError(error.message);
    throw error;
  }
};
