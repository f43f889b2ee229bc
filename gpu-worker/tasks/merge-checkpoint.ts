import { mergeCheckpointPayload } from "~/server/jobs/definitions/merge-checkpoint";
import { PermanentJobError } from "~/server/jobs/types";
import { findMerged, loadMergeSource, registerMerge } from "~/server/services/experiments/merges";
import { readableModelFolder } from "~/server/services/models/folder-access";
import { resolveArtifact } from "~/server/storage/artifacts";
import { runTrainerCommand } from "./evaluate-subjects";
import type { JobHandler } from "./types";

/** Trainer error codes of `trainer merge` that no retry can fix. */
const PERMANENT = new Set(["mismatch", "missing_model", "invalid_input", "bad_model"]);

/**
 * The `merge_checkpoint` job: `python3 -m trainer merge` (W·tuned + (1−W)·base on every weight, written
 * atomically to experiments/<run>/merged/step-N-w<W>), then the new checkpoint is registered with its lineage and
 * its evaluations are queued (server/services/experiments/merges.ts).
 */
export const runMergeCheckpoint: JobHandler<unknown> = async (ctx) => {
  const p = mergeCheckpointPayload.parse(ctx.payload);
  const source = await loadMergeSource(p.workspaceId, p.checkpointId);
  if (!source) throw new PermanentJobError("checkpoint, run or base model not found");
  const { ckpt, run, baseModel } = source;
  const dir = `${run.outputDir}/merged/step-${ckpt.step}-w${p.weight.toFixed(3)}`;
  if (!(await findMerged(ckpt.id, p.weight))) {
    await ctx.log(`merging step ${ckpt.step} of ${run.name} with ${baseModel.name}: ${p.weight}·tuned + ${Math.round((1 - p.weight) * 1000) / 1000}·base`);
    await ctx.progress(0.1, "merging");
    let error: { code?: string; reason?: string } | null = null;
    let done: Record<string, unknown> | null = null;
    try {
      const baseDir = await readableModelFolder(p.workspaceId, baseModel.dir);
      await runTrainerCommand(["merge", "--base", baseDir, "--tuned", resolveArtifact(ckpt.dir), "--weight", String(p.weight), "--out", resolveArtifact(dir)], ctx.signal, (line) => {
        try {
          const ev = JSON.parse(line) as Record<string, unknown>;
          if (ev.event === "error") error = ev as typeof error;
          if (ev.event === "done") done = ev;
        } catch {
          /* free text belongs on stderr; ignore */
        }
      });
    } catch (e) {
      const err = error as { code?: string; reason?: string } | null;
      if (err?.code && PERMANENT.has(err.code)) throw new PermanentJobError(`${err.code}: ${err.reason}`);
      throw e;
    }
    await ctx.log(`merged ${String((done as Record<string, unknown> | null)?.tensors ?? "?")} tensors into ${dir}`);
  }
  const { checkpoint, evaluationIds } = await registerMerge({ source, weight: p.weight, dir, userId: p.userId });
  await ctx.progress(1, "merged");
  await ctx.log(`registered checkpoint ${checkpoint.id}; ${evaluationIds.length} evaluation(s) queued`);
  return { checkpointId: checkpoint.id, dir, evaluationIds };
};
