import { createWriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import type { z } from "zod";
import { db } from "../../server/db";
import type { mineVersionJob } from "../../server/jobs/definitions/mine-version";
import { PermanentJobError } from "../../server/jobs/types";
import { runImport } from "../../server/services/datasets/import/run-import";
import { storeLocalFile } from "../../server/services/datasets/uploads";
import { defaultBaseModelDir } from "../../server/services/models/default-model";
import { runMining } from "../inference/run-mining";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof mineVersionJob.payload>;

/** Writes a version's pairs as FlagEmbedding JSONL, page by page. */
async function writePairs(versionId: string, file: string): Promise<number> {
  const out = createWriteStream(file);
  let count = 0;
  for (let cursor = -1; ; ) {
    const page = await db.datasetRecord.findMany({ where: { versionId, type: "pair", ordinal: { gt: cursor } }, orderBy: { ordinal: "asc" }, take: 2000, select: { ordinal: true, data: true } });
    if (page.length === 0) break;
    for (const row of page) {
      if (!out.write(`${JSON.stringify(row.data)}\n`)) await once(out, "drain");
      count++;
    }
    cursor = page[page.length - 1]!.ordinal;
  }
  out.end();
  await once(out, "finish");
  return count;
}

export const runMineVersion: JobHandler<Payload> = async ({ payload, signal, progress, log, workDir }) => {
  const version = await db.datasetVersion.findFirst({ where: { id: payload.versionId, workspaceId: payload.workspaceId }, include: { dataset: true } });
  if (!version) throw new PermanentJobError("dataset version not found");
  const modelDir = defaultBaseModelDir();
  if (!modelDir) throw new PermanentJobError("no base model with an ONNX export to mine with (set M3_BASE_MODEL or build the demo model)");
  const input = path.join(workDir, "pairs.jsonl");
  const output = path.join(workDir, `${version.dataset.name}-mined.jsonl`);
  const pairs = await writePairs(version.id, input);
  if (pairs === 0) throw new PermanentJobError("this version holds no training pairs");
  await log(`mining ${payload.negatives} negatives per query in ranks ${payload.rangeStart}–${payload.rangeEnd} with ${path.basename(modelDir)}`);
  const { summary } = await runMining(
    { modelDir, input, output, rangeStart: payload.rangeStart, rangeEnd: payload.rangeEnd, negatives: payload.negatives, falseNegativeRatio: 0.95 },
    { signal, progress: (f, m) => progress(0.8 * f, m) },
  );
  const upload = await storeLocalFile({ workspaceId: payload.workspaceId, userId: payload.userId, file: output });
  // Mined pairs are training pairs: a RAG-log dataset's result goes to "<name>-mined".
  const datasetName = version.dataset.kind === "TRAINING" ? version.dataset.name : `${version.dataset.name}-mined`;
  const result = await runImport(
    { workspaceId: payload.workspaceId, userId: payload.userId, datasetName, kind: "TRAINING", pairsAsEvaluation: false, files: [{ uploadId: upload.id, role: "pairs" }] },
    { signal, progress: (f, m) => progress(0.8 + 0.2 * f, m) },
  );
  await db.datasetVersion.update({ where: { id: result.versionId }, data: { source: { kind: "mined", from: version.id, summary: summary as object } } });
  return { ...result, mining: summary };
};
