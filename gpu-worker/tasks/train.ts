import { execFile, spawn } from "node:child_process";
import { closeSync, createWriteStream, existsSync, openSync } from "node:fs";
import { copyFile, link, mkdir, open, readdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { trainPayload, type TrainPayload } from "~/server/jobs/definitions/train";
import { PermanentJobError, isPermanentJobError } from "~/server/jobs/types";
import { createEvaluationRow, DEFAULT_MODES, finishEvaluation, type Subject } from "~/server/services/experiments/evaluations";
import { toTrainerConfig } from "~/server/services/experiments/schema";
import {
  dropPointsAfter, finishRun, runCheckpoints, loadRunForTraining, markBest, markRunStarted, registerCheckpoint, runStartedAt, setCheckpointMetrics,
  trainingGroups, updateRunProgress, writePoints, type Point,
} from "~/server/services/experiments/train-writes";
import { artifactsRoot } from "~/server/storage/artifacts";
import { readableModelFolder } from "~/server/services/models/folder-access";
import { M3Tokenizer } from "../inference/tokenizer";
import { nvidiaSmiQuery } from "../resources/gpu";
import { startResourceSampler } from "../resources/sampler";
import type { SearchMode } from "../inference/search";
import { evaluateSubjects, PYTHON } from "./evaluate-subjects";
import type { JobContext, JobHandler } from "./types";

const GPU_WORKER = path.resolve(import.meta.dirname, "..");
/** Trainer error codes that no retry can fix. */
const PERMANENT = new Set(["invalid_config", "invalid_data", "empty_dataset", "missing_model", "bad_model", "resume_mismatch", "diverged"]);
/** Step-event fields stored as metric series. */
const STEP_SERIES = ["loss", "lr", "grad_norm", "samples_per_s", "loss_dense", "loss_sparse", "loss_colbert", "loss_ensemble", "accuracy", "peak_mem_mb", "epoch"];

/** How often the trainer's CPU/memory (and GPUs) are sampled for the run page. */
const SAMPLE_MS = () => Number(process.env.M3_RESOURCE_SAMPLE_MS) || 5000;

const lang = (s: string) => (/[\u3400-\u9fff]/.test(s) ? "zh" : "en");

/** Writes the version's groups as the trainer's JSONL of token ids (docs/CONTRACTS.md). Returns the group count. */
async function tokenise(versionId: string, split: "train" | "validation", file: string, tok: M3Tokenizer, qMax: number, pMax: number, signal: AbortSignal) {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  let n = 0;
  for await (const g of trainingGroups(versionId, split)) {
    if (signal.aborted) throw new Error("aborted");
    if (!g.query || !g.pos?.length) continue;
    const line: Record<string, unknown> = {
      query: tok.encode(g.prompt ? `${g.prompt}${g.query}` : g.query, qMax).ids,
      pos: g.pos.map((p) => tok.encode(p, pMax).ids),
      neg: (g.neg ?? []).map((p) => tok.encode(p, pMax).ids),
      source: lang(g.query),
    };
    if (g.pos_scores) line.pos_scores = g.pos_scores;
    if (g.neg_scores) line.neg_scores = g.neg_scores;
    if (!out.write(JSON.stringify(line) + "\n")) await once(out, "drain");
    n++;
  }
  out.end();
  await once(out, "finish");
  await rename(tmp, file);
  return n;
}

/** Hard-links (or copies) a folder tree: checkpoints survive the trainer's keep-last pruning at no disk cost. */
async function linkTree(src: string, dst: string) {
  await mkdir(dst, { recursive: true });
  for (const e of await readdir(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) await linkTree(s, d);
    else if (!existsSync(d)) await link(s, d).catch(() => copyFile(s, d));
  }
}

async function gpuCount(): Promise<number> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["-L"], { timeout: 5000 }, (err, stdout) => resolve(err ? 0 : stdout.split("\n").filter((l) => l.startsWith("GPU ")).length));
  });
}

export const runTrain: JobHandler<TrainPayload> = async (ctx) => {
  const p = trainPayload.parse(ctx.payload);
  const loaded = await loadRunForTraining(p.experimentId);
  if (!loaded?.baseModel || loaded.run.workspaceId !== p.workspaceId) throw new PermanentJobError("run or base model not found");
  const { run, baseModel } = loaded;
  await markRunStarted(run.id, ctx.jobId);
  try {
    baseModel.dir = await readableModelFolder(p.workspaceId, baseModel.dir);
    const result = await train(ctx, p, run, baseModel);
    await finishRun(run.id, "SUCCEEDED");
    return result;
  } catch (e) {
    const why = ctx.signal.aborted ? (ctx.signal.reason as Error | undefined)?.message : null;
    const message = e instanceof Error ? e.message : String(e);
    if (why === "cancelled") await finishRun(run.id, "CANCELLED");
    else if (why === "shutdown") await finishRun(run.id, "QUEUED");
    else if (why !== "lease-lost") {
      if (isPermanentJobError(e)) await finishRun(run.id, "FAILED", message);
      else await updateRunProgress(run.id, { phase: `retrying: ${message.slice(0, 200)}` });
    }
    throw e;
  }
};

type Run = NonNullable<Awaited<ReturnType<typeof loadRunForTraining>>>["run"];
type Base = NonNullable<NonNullable<Awaited<ReturnType<typeof loadRunForTraining>>>["baseModel"]>;

async function train(ctx: JobContext<TrainPayload>, p: TrainPayload, run: Run, baseModel: Base) {
  const root = artifactsRoot();
  const runDir = path.join(root, run.outputDir);
  const c = p.config;
  const qMax = Math.min(c.maxQueryLength, baseModel.maxLength);
  const pMax = Math.min(c.maxPassageLength, baseModel.maxLength);

  // 1. Tokenise (once per run: the version is immutable, the files are reused on resume).
  const trainFile = path.join(runDir, "data", "train.jsonl");
  const valFile = path.join(runDir, "data", "validation.jsonl");
  if (!existsSync(trainFile)) {
    await updateRunProgress(run.id, { phase: "tokenising" });
    await ctx.log(`tokenising ${run.trainVersionId} (query ≤ ${qMax}, passage ≤ ${pMax} tokens)`);
    const tok = M3Tokenizer.fromFiles(path.join(baseModel.dir, "tokenizer.json"), existsSync(path.join(baseModel.dir, "tokenizer_config.json")) ? path.join(baseModel.dir, "tokenizer_config.json") : null);
    const nVal = await tokenise(run.trainVersionId, "validation", valFile, tok, qMax, pMax, ctx.signal);
    const nTrain = await tokenise(run.trainVersionId, "train", trainFile, tok, qMax, pMax, ctx.signal);
    if (nTrain === 0) throw new PermanentJobError("the training version has no training pairs");
    await ctx.log(`tokenised ${nTrain} training groups, ${nVal} validation groups`);
  }
  const hasVal = existsSync(valFile) && (await stat(valFile)).size > 0;

  // 2. Train.
  const outputDir = path.join(runDir, "output");
  const gpus = c.device === "cpu" ? 0 : await gpuCount();
  const config = {
    ...toTrainerConfig(c), model: baseModel.dir, output_dir: outputDir, train_data: [trainFile],
    val_data: hasVal ? valFile : null, eval_steps: hasVal ? c.evalSteps : 0,
  };
  await mkdir(runDir, { recursive: true });
  const configFile = path.join(runDir, "trainer-config.json");
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const args = gpus > 1
    ? ["-m", "torch.distributed.run", "--standalone", `--nproc_per_node=${gpus}`, "-m", "trainer", "train", "--config", configFile]
    : ["-m", "trainer", "train", "--config", configFile];
  await ctx.log(gpus > 1 ? `torchrun on ${gpus} GPUs` : `trainer on ${gpus === 1 ? "1 GPU" : "CPU"}`);
  await updateRunProgress(run.id, { phase: "training" });
  const checkpoints = await runTrainer(ctx, run, baseModel, args, runDir);

  // 3. Evaluate every checkpoint (and the base once per evaluation version), mark the best.
  if (run.evalVersionId) {
    await updateRunProgress(run.id, { phase: "evaluating", etaSeconds: null });
    const subjects: Subject[] = [{ kind: "base", id: baseModel.id, label: baseModel.name }, ...checkpoints.map((ck) => ({ kind: "checkpoint" as const, id: ck.id, label: `step-${ck.step}` }))];
    const modes = [...(c.evalModes ?? DEFAULT_MODES)] as SearchMode[];
    const evaluation = await createEvaluationRow({ workspaceId: run.workspaceId, name: `${run.name}`, evalVersionId: run.evalVersionId, subjects, modes, experimentId: run.id, userId: run.createdById });
    try {
      const results = await evaluateSubjects({
        workspaceId: run.workspaceId, evaluationId: evaluation.id, evalVersionId: run.evalVersionId, subjects, modes, workDir: ctx.workDir, signal: ctx.signal, reuseBase: true,
        progress: (f, m) => ctx.progress(0.85 + 0.15 * f, m), log: (l) => ctx.log(l),
      });
      for (const ck of checkpoints) {
        const r = results.get(`checkpoint:${ck.id}`);
        if (r) await setCheckpointMetrics(ck.id, r);
      }
      await finishEvaluation(evaluation.id, "SUCCEEDED");
    } catch (e) {
      await finishEvaluation(evaluation.id, ctx.signal.aborted ? "CANCELLED" : "FAILED", (e as Error).message).catch(() => undefined);
      throw e;
    }
    const best = await markBest(run.id, run.bestMetric);
    if (best) await ctx.log(`best checkpoint by ${run.bestMetric}: ${best.v.toFixed(4)}`);
  }
  if (run.generalEvalVersionId && checkpoints.length) await evaluateGeneral(ctx, run, baseModel, checkpoints, [...(c.evalModes ?? DEFAULT_MODES)] as SearchMode[]);
  return { checkpoints: checkpoints.map((ck) => ck.step) };
}

/**
 * 4. Forgetting guard: the base, the best and the last checkpoint on the run's general-domain version (the
 * base once per version, reused). Not every checkpoint: the general set is a guard on what would ship.
 */
async function evaluateGeneral(ctx: JobContext<TrainPayload>, run: Run, baseModel: Base, checkpoints: Array<{ id: string; step: number }>, modes: SearchMode[]) {
  const versionId = run.generalEvalVersionId!;
  const bestId = (await loadRunForTraining(run.id))?.run.bestCheckpointId ?? null;
  const picked = checkpoints.filter((ck, i) => ck.id === bestId || i === checkpoints.length - 1);
  const subjects: Subject[] = [{ kind: "base", id: baseModel.id, label: baseModel.name }, ...picked.map((ck) => ({ kind: "checkpoint" as const, id: ck.id, label: `step-${ck.step}` }))];
  await updateRunProgress(run.id, { phase: "evaluatingGeneral" });
  const evaluation = await createEvaluationRow({ workspaceId: run.workspaceId, name: `${run.name} · general`, evalVersionId: versionId, subjects, modes, experimentId: run.id, userId: run.createdById });
  try {
    const results = await evaluateSubjects({
      workspaceId: run.workspaceId, evaluationId: evaluation.id, evalVersionId: versionId, subjects, modes, workDir: ctx.workDir, signal: ctx.signal, reuseBase: true,
      progress: (f, m) => ctx.progress(0.95 + 0.05 * f, `general: ${m}`), log: (l) => ctx.log(`general: ${l}`),
    });
    await finishEvaluation(evaluation.id, "SUCCEEDED");
    const base = results.get(`base:${baseModel.id}`)?.dense?.["ndcg@10"];
    for (const ck of picked) {
      const v = results.get(`checkpoint:${ck.id}`)?.dense?.["ndcg@10"];
      if (base !== undefined && v !== undefined) await ctx.log(`general-domain dense nDCG@10: base ${base.toFixed(4)}, step-${ck.step} ${v.toFixed(4)} (${(((v - base) / (base || 1)) * 100).toFixed(1)}%)`);
    }
  } catch (e) {
    await finishEvaluation(evaluation.id, ctx.signal.aborted ? "CANCELLED" : "FAILED", (e as Error).message).catch(() => undefined);
    throw e;
  }
}

/** Spawns the trainer, turns its events into rows, and returns the registered checkpoints. */
async function runTrainer(ctx: JobContext<TrainPayload>, run: Run, baseModel: Base, args: string[], runDir: string) {
  let buffer: Point[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  let failure: unknown = null;
  /** DB writes run one after another, in event order; the first failure is kept and rethrown. */
  const enqueue = (fn: () => Promise<unknown>) => {
    chain = chain.then(fn).catch((e) => (failure ??= e));
  };
  const flush = () => {
    const batch = buffer;
    buffer = [];
    if (batch.length) enqueue(() => writePoints(run.id, batch));
  };
  const timer = setInterval(flush, 1000);

  let total = run.totalSteps ?? 0;
  let startStep = 0;
  let lastStep = 0;
  const t0 = Date.now();
  let lastLog = 0;
  let errorEvent: { code?: string; reason?: string } | null = null;
  const checkpoints = new Map<number, { id: string; step: number }>();
  const stderr: string[] = [];

  const registerCkpt = (step: number, ckptPath: string) => {
    enqueue(async () => {
      if (checkpoints.has(step)) return;
      const rel = `${run.outputDir}/checkpoints/step-${step}`;
      await linkTree(path.join(ckptPath, "model"), path.join(runDir, "checkpoints", `step-${step}`));
      const row = await registerCheckpoint({
        workspaceId: run.workspaceId, experimentId: run.id, step, dir: rel,
        lineage: { baseModelId: baseModel.id, baseModel: baseModel.name, experimentId: run.id, run: run.name, trainVersionId: run.trainVersionId, evalVersionId: run.evalVersionId, step, config: run.config },
      });
      checkpoints.set(step, { id: row.id, step });
      await ctx.log(`checkpoint at step ${step}`);
    });
  };

  /** One trainer event. `replay`: an event of an earlier attempt, read back from events.jsonl (rows only). */
  const handle = (line: string, replay = false) => {
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const step = typeof ev.step === "number" ? ev.step : 0;
    switch (ev.event) {
      case "resume":
        startStep = step;
        flush();
        enqueue(() => dropPointsAfter(run.id, step));
        if (!replay) enqueue(() => ctx.log(`resuming from the checkpoint at step ${step}`));
        break;
      case "start":
        if (replay) break;
        total = typeof ev.total_steps === "number" ? ev.total_steps : total;
        startStep = typeof ev.start_step === "number" ? ev.start_step : startStep;
        enqueue(() => updateRunProgress(run.id, { totalSteps: total }));
        enqueue(() => ctx.log(`training ${total} steps on ${String(ev.device)} (${String(ev.precision)}), ${String(ev.groups)} groups, ${String(ev.trainable_params)} trainable parameters`));
        break;
      case "step": {
        lastStep = step;
        for (const k of STEP_SERIES) if (typeof ev[k] === "number") buffer.push({ name: k, step, value: ev[k] });
        if (buffer.length >= 500) flush();
        if (replay) break;
        const done = Math.max(1, step - startStep);
        const eta = total > 0 ? Math.round(((Date.now() - t0) / 1000 / done) * Math.max(0, total - step)) : null;
        const now = Date.now();
        if (now - lastLog > 1000 || step === total) {
          lastLog = now;
          const fraction = total > 0 ? step / total : 0;
          enqueue(() => updateRunProgress(run.id, { lastStep: step, progress: fraction, etaSeconds: eta }));
          enqueue(() => ctx.progress(0.85 * fraction, `step ${step}/${total}`));
          enqueue(() => ctx.log(`step ${step}/${total} loss ${(ev.loss as number)?.toFixed?.(4)} lr ${(ev.lr as number)?.toExponential?.(2)}`));
        }
        break;
      }
      case "eval":
        for (const [k, v] of Object.entries(ev)) if (k !== "event" && k !== "step" && typeof v === "number") buffer.push({ name: k, step, value: v });
        flush();
        break;
      case "checkpoint":
        if (typeof ev.path === "string" && (!replay || existsSync(path.join(ev.path, "model")))) registerCkpt(step, ev.path);
        break;
      case "oom_backoff":
        if (replay) break;
        enqueue(() => ctx.log(`out of memory: micro-batch ${String(ev.micro_batch_size)} × accumulation ${String(ev.accumulation)}`, "warn"));
        break;
      case "stopped":
        if (replay) break;
        enqueue(() => ctx.log(`stopped at step ${step} after a checkpoint`));
        break;
      case "done":
        if (replay) break;
        if (typeof ev.checkpoint === "string") registerCkpt(step, ev.checkpoint);
        enqueue(() => updateRunProgress(run.id, { lastStep: step, progress: total ? step / total : 1, etaSeconds: 0 }));
        break;
      case "error":
        if (replay) break;
        errorEvent = { code: ev.code as string, reason: ev.reason as string };
        enqueue(() => ctx.log(`trainer error ${String(ev.code)}: ${String(ev.reason)}`, "error"));
        break;
    }
  };

  /*
   * The trainer writes its events straight into experiments/<run>/events.jsonl (its stdout is that file,
   * opened for append), and the worker tails the file. Events the trainer emitted before a worker crash are
   * therefore never lost: the next attempt first replays the file (steps after the last DB flush, checkpoints
   * not yet registered), then the trainer resumes from its newest checkpoint and the replayed steps past it
   * are dropped and re-emitted — the metric history has no gaps and no duplicates.
   */
  const eventsFile = path.join(runDir, "events.jsonl");
  let offset = 0;
  let partial = "";
  const reader = await open(eventsFile, "a+");
  const pump = async (replay = false) => {
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      const { bytesRead } = await reader.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      const lines = (partial + buf.subarray(0, bytesRead).toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) if (l.trim()) handle(l, replay);
    }
  };
  await pump(true);
  if (partial.trim()) handle(partial, true);
  partial = "";
  flush();
  const startedAt = (await runStartedAt(run.id)) ?? Date.now();
  const out = openSync(eventsFile, "a");
  // M3_WORKER_PID: the trainer (every rank, under torchrun too) exits with a checkpoint once this process is gone (trainer/lifeline.py).
  const child = spawn(PYTHON(), args, { cwd: GPU_WORKER, stdio: ["ignore", out, "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1", M3_WORKER_PID: String(process.pid) } });
  closeSync(out);
  // Resource series (system/*): the trainer's process tree, host memory, GPUs; batched with the trainer's points.
  const sampler = child.pid
    ? startResourceSampler({ pid: child.pid, startedAt, intervalMs: SAMPLE_MS(), gpu: nvidiaSmiQuery(), onPoints: (pts) => void buffer.push(...pts) })
    : null;
  const onAbort = () => child.kill("SIGTERM");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code, sig) => resolve(code ?? (sig ? 128 + 15 : null))));
  let pumping: Promise<void> = Promise.resolve();
  const tail = setInterval(() => {
    pumping = pumping.then(() => pump()).catch((e) => void (failure ??= e));
  }, 200);
  child.stderr!.on("data", (c: Buffer) => {
    for (const l of c.toString().split("\n")) if (l.trim()) stderr.push(l);
    if (stderr.length > 200) stderr.splice(0, stderr.length - 200);
  });

  const code = await exited;
  await sampler?.stop();
  clearInterval(tail);
  await pumping;
  await pump();
  if (partial.trim()) handle(partial);
  partial = "";
  await reader.close();
  clearInterval(timer);
  ctx.signal.removeEventListener("abort", onAbort);
  flush();
  await chain;
  if (failure) throw failure;
  if (code !== 0) {
    const err = errorEvent as { code?: string; reason?: string } | null;
    const msg = err ? `${err.code}: ${err.reason}` : `trainer exited with ${code}: ${stderr.slice(-3).join(" ")}`;
    if (ctx.signal.aborted) throw new Error(`stopped (${msg})`);
    if (err?.code && PERMANENT.has(err.code)) throw new PermanentJobError(msg);
    throw new Error(msg);
  }
  await ctx.log(`training finished at step ${lastStep}`);
  return runCheckpoints(run.id);
}
