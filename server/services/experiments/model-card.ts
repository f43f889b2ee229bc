import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { latestResults } from "./evaluations";

/**
 * A generated model card for a checkpoint: lineage (base model, data versions, run), hyperparameters,
 * metrics against the base model on the run's evaluation version, hardware and training time. Markdown.
 */
export async function modelCard({ workspaceId, checkpointId }: { workspaceId: string; checkpointId: string }) {
  const ckpt = await db.checkpoint.findFirst({ where: { id: checkpointId, workspaceId } });
  if (!ckpt) throw new AppError("NOT_FOUND", "Checkpoint not found.", "checkpointId");
  // A merge with the base belongs to its tuned source's run.
  const source = !ckpt.experimentId && ckpt.sourceCheckpointId ? await db.checkpoint.findUnique({ where: { id: ckpt.sourceCheckpointId } }) : null;
  const runId = ckpt.experimentId ?? source?.experimentId ?? null;
  const run = runId ? await db.experiment.findUnique({ where: { id: runId } }) : null;
  const base = run ? await db.baseModel.findUnique({ where: { id: run.baseModelId } }) : null;
  const version = async (id: string | null | undefined) => {
    if (!id) return "—";
    const v = await db.datasetVersion.findUnique({ where: { id }, select: { number: true, rowCount: true, dataset: { select: { name: true } } } });
    return v ? `${v.dataset.name} v${v.number} (${v.rowCount} records)` : id;
  };
  const job = run?.jobId ? await db.job.findUnique({ where: { id: run.jobId }, select: { lockedBy: true } }) : null;
  const worker = job?.lockedBy ? await db.worker.findUnique({ where: { id: job.lockedBy }, select: { host: true, capabilities: true } }) : null;
  const lines: string[] = [];
  lines.push(`# ${run?.name ?? "checkpoint"} — step ${ckpt.step}${ckpt.mergeWeight != null ? ` ⊕ base (W = ${ckpt.mergeWeight})` : ""}`, "");
  lines.push("BGE-M3 (dense + sparse + ColBERT) fine-tuned with M3 Studio. Loadable with FlagEmbedding's `BGEM3FlagModel` and transformers.", "");
  lines.push("## Lineage", "");
  lines.push(`- Base model: ${base ? `${base.name} (${base.architecture}, ${base.dim} dims, ${base.layers} layers)` : "—"}`);
  lines.push(`- Training data: ${await version(run?.trainVersionId)}`);
  lines.push(`- Evaluation data: ${await version(run?.evalVersionId)}`);
  lines.push(`- Run: ${run?.id ?? "—"} (preset ${run?.preset ?? "—"}), checkpoint step ${ckpt.step}${ckpt.isBest ? " — best of the run" : ""}`);
  if (ckpt.mergeWeight != null) lines.push(`- Merged with the base (LM-Cocktail): ${ckpt.mergeWeight}·tuned (step ${source?.step ?? ckpt.step}) + ${Math.round((1 - ckpt.mergeWeight) * 1000) / 1000}·base, encoder and sparse/ColBERT heads`);
  if (ckpt.tags.length || ckpt.aliases.length) lines.push(`- Tags: ${[...ckpt.tags, ...ckpt.aliases.map((a) => `@${a}`)].join(", ")}`);
  lines.push("", "## Hyperparameters", "", "| parameter | value |", "|---|---|");
  for (const [k, v] of Object.entries((run?.config ?? {}) as Record<string, unknown>)) lines.push(`| ${k} | ${JSON.stringify(v)} |`);
  const metrics: Array<{ mode: string; metric: string; base: number | null; tuned: number }> = [];
  if (run?.evalVersionId && base) {
    const rows = await latestResults(run.evalVersionId, [{ kind: "base", id: base.id }, { kind: "checkpoint", id: ckpt.id }]);
    for (const r of rows.filter((x) => x.subjectKind === "checkpoint")) {
      const b = rows.find((x) => x.subjectKind === "base" && x.mode === r.mode);
      for (const m of ["ndcg@10", "mrr@10", "recall@10", "P@10", "map@10"]) {
        metrics.push({ mode: r.mode, metric: m, base: b ? ((b.mean as Record<string, number>)[m] ?? null) : null, tuned: (r.mean as Record<string, number>)[m] ?? 0 });
      }
    }
    lines.push("", "## Metrics vs base", "", "| mode | metric | base | tuned | Δ | % |", "|---|---|---|---|---|---|");
    for (const m of metrics) {
      const d = m.base === null ? null : m.tuned - m.base;
      const pct = m.base ? ((m.tuned - m.base) / m.base) * 100 : null;
      lines.push(`| ${m.mode} | ${m.metric} | ${m.base?.toFixed(4) ?? "—"} | ${m.tuned.toFixed(4)} | ${d === null ? "—" : (d >= 0 ? "+" : "") + d.toFixed(4)} | ${pct === null ? "—" : (pct >= 0 ? "+" : "") + pct.toFixed(1) + "%"} |`);
    }
  }
  const caps = worker?.capabilities as { gpus?: Array<{ name: string }>; cpus?: number } | undefined;
  lines.push("", "## Hardware and time", "");
  lines.push(`- Worker: ${worker?.host ?? "—"}${caps?.gpus?.length ? `, ${caps.gpus.length} × ${caps.gpus[0]!.name}` : ", CPU"}`);
  if (run?.startedAt && run.finishedAt) lines.push(`- Wall time: ${Math.round((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000)} s`);
  return { markdown: lines.join("\n") + "\n", metrics, checkpoint: ckpt, run: run ? { id: run.id, name: run.name } : null };
}
