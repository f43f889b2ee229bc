import path from "node:path";
import type { z } from "zod";
import type { synthesizeJob } from "../../server/jobs/definitions/synthesize";
import { defaultBaseModelDir } from "../../server/services/models/default-model";
import { runSynthesis } from "../../server/services/synthesis/run-synthesis";
import { loadEncoder } from "../inference/load";
import { buildCorpusIndex, searchCorpus } from "../inference/search";
import { M3Tokenizer } from "../inference/tokenizer";
import type { JobHandler } from "./types";

type Payload = z.infer<typeof synthesizeJob.payload>;

/** Ranks beyond this are stored as null ("not in the top results"). */
const ROUND_TRIP_DEPTH = 1000;

/**
 * Round-trip score of each draft: the rank of its own chunk when the base model searches all
 * chunks with it (dense). Rank 1 means the query finds its passage first: a good training pair.
 */
async function roundTripRanksWith(modelDir: string, signal: AbortSignal) {
  return async (chunks: { key: string; text: string }[], queries: { chunkKey: string; query: string }[]) => {
    const { encoder, maxLength } = await loadEncoder(modelDir);
    try {
      const index = await buildCorpusIndex(encoder, chunks.map((c) => ({ id: c.key, text: c.text })), { maxLength: Math.min(512, maxLength), signal });
      const { run } = await searchCorpus(encoder, index, queries.map((q, i) => ({ id: String(i), text: q.query })), {
        mode: "dense", k: Math.min(ROUND_TRIP_DEPTH, chunks.length), queryMaxLength: Math.min(128, maxLength), signal,
      });
      return queries.map((q, i) => {
        const rank = (run.get(String(i)) ?? []).findIndex((hit) => hit.docId === q.chunkKey);
        return rank >= 0 ? rank + 1 : null;
      });
    } finally {
      await encoder.backend.close();
    }
  };
}

export const runSynthesize: JobHandler<Payload> = async ({ payload, signal, progress, log }) => {
  const modelDir = defaultBaseModelDir();
  if (!modelDir) await log("no base model with an ONNX export: round-trip scores are skipped", "warn");
  // Chunk sizes are in the base model's tokens (special tokens excluded).
  const tokenizer = modelDir ? M3Tokenizer.fromFiles(path.join(modelDir, "tokenizer.json")) : null;
  return runSynthesis(payload, {
    signal, progress, log,
    ...(modelDir ? { roundTripRanks: await roundTripRanksWith(modelDir, signal) } : {}),
    ...(tokenizer ? { tokenCount: (text: string) => tokenizer.encode(text, Number.MAX_SAFE_INTEGER).fullLength - 2 } : {}),
  });
};
