import path from "node:path";
import { mineNegativesPayload, type MineNegativesPayload } from "~/server/jobs/definitions/mine-negatives";
import { throttleProgress } from "../inference/progress";
import { runMining } from "../inference/run-mining";
import type { JobHandler } from "./types";

/** `mine_negatives` job: validates, resolves artifact-relative paths, mines, returns the counts. */
export function makeMineNegativesHandler(opts: { artifactsDir?: string } = {}): JobHandler<MineNegativesPayload> {
  return async (ctx) => {
    const p = mineNegativesPayload.parse(ctx.payload);
    const root = path.resolve(opts.artifactsDir ?? process.env.ARTIFACTS_DIR ?? ".data/artifacts");
    const at = (rel: string) => path.join(root, rel);
    await ctx.log(`mine_negatives: ${p.input} → ${p.output} (ranks ${p.rangeStart}–${p.rangeEnd}, ${p.negatives} per query)`);
    const { summary } = await runMining(
      {
        ...p,
        modelDir: at(p.modelDir),
        input: at(p.input),
        output: at(p.output),
        candidatePool: p.candidatePool ? at(p.candidatePool) : undefined,
      },
      { progress: throttleProgress((f, m) => ctx.progress(f, m)), signal: ctx.signal },
    );
    return { ...summary, output: p.output };
  };
}

export const runMineNegatives: JobHandler<MineNegativesPayload> = makeMineNegativesHandler();
