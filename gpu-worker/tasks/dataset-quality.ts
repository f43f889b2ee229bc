import type { z } from "zod";
import type { datasetQualityJob } from "../../server/jobs/definitions/dataset-quality";
import { computeQualityReport } from "../../server/services/datasets/quality";
import { M3Tokenizer } from "../inference/tokenizer";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof datasetQualityJob.payload>;

/** Token counts with the model's own tokenizer (special tokens included, no truncation). */
function tokenCounter(tokenizerJson: string) {
  const tokenizer = M3Tokenizer.fromFiles(tokenizerJson);
  return (text: string) => tokenizer.encode(text, Number.MAX_SAFE_INTEGER).fullLength;
}

export const runDatasetQuality: JobHandler<Payload> = async ({ payload, progress }) => {
  await progress(0.1, "reading rows");
  const result = await computeQualityReport(payload, tokenCounter);
  await progress(1, `score ${result.score}`);
  return result;
};
