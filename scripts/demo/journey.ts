import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { writeDemoFiles, type DemoPlan, type PlannedImport } from "../../server/services/demo/demo-files";
import { demoDataDir } from "../../server/services/demo/demo-data";
import { checkPairsColumns } from "./columns";
import type { DemoOptions } from "./args";
import { apiClient, apiErrorMessage, checkPlatform, signIn, uploadFile, type Api, type CookieJar } from "./client";
import { buildTable, tunedWins, type DemoTable } from "./table";

/**
 * The whole journey of the product, headless, against a running platform — the steps a user takes in the browser,
 * through the same API: sign in → workspace → upload + import → quality report → synthesis + review → base
 * evaluation → LoRA fine-tune (evaluates its checkpoints) → comparison → deployment → one embeddings call.
 * Each step prints a line with the elapsed time; a failing step throws a StepError naming it.
 */
export class StepError extends Error {
  constructor(readonly step: string, readonly reason: string) {
    super(`step "${step}" failed: ${reason}`);
  }
}

/**
 * LoRA r=8 (lora_quick) on the dense output, batches of 16 pairs with one in-batch-negative group each, lr 2e-3, no
 * warm-up. With the default 200 steps over 1,600 MedQuAD pairs the demo model gains about a third in nDCG@10 and MRR@10
 * on the held-out questions (p < 0.001; bench/results/demo.md); 24 steps gain only ~3% (p ≈ 0.3).
 */
export const DEMO_TRAIN_CONFIG = {
  batchSize: 16, trainGroupSize: 2, learningRate: 2e-3, maxPassageLength: 128, warmupRatio: 0, device: "cpu" as const,
  evalModes: ["dense", "sparse"] as ("dense" | "sparse")[],
};

export interface Reporter {
  start(step: string): void;
  done(step: string, detail: string): void;
  info(line: string): void;
}

export function consoleReporter(out: NodeJS.WritableStream = process.stderr, t0 = Date.now()): Reporter {
  const clock = () => {
    const s = (Date.now() - t0) / 1000;
    return `[${String(Math.floor(s / 60)).padStart(2, "0")}:${(s % 60).toFixed(1).padStart(4, "0")}]`;
  };
  let stepStart = Date.now();
  return {
    start: (step) => {
      stepStart = Date.now();
      out.write(`${clock()} ${step} ...\n`);
    },
    done: (step, detail) => out.write(`${clock()} ${step}: ${detail} (${((Date.now() - stepStart) / 1000).toFixed(1)} s)\n`),
    info: (line) => out.write(`${clock()}   ${line}\n`),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still not done after ${Math.round(timeoutMs / 1000)} s (is a worker running?)`);
    await sleep(1000);
  }
}

async function waitJob(api: Api, workspaceId: string, jobId: string, what: string, timeoutMs: number) {
  return until(what, timeoutMs, async () => {
    const job = await api.job.get.query({ workspaceId, jobId });
    if (job.status === "FAILED" || job.status === "CANCELLED") throw new Error(`${what} ${job.status.toLowerCase()}: ${job.lastError ?? "no reason recorded"}`);
    return job.status === "SUCCEEDED" ? job : null;
  });
}

export interface DemoResult {
  table: DemoTable;
  workspace: { slug: string; url: string };
  account: { email: string; credentialsFile: string | null };
  deployment: { url: string; dim: number; stopped: boolean };
  timings: Record<string, number>;
}

/** Runs one step: a thrown error becomes a StepError naming the step. */
async function step<T>(name: string, r: Reporter, timings: Record<string, number>, body: () => Promise<[T, string]>): Promise<T> {
  r.start(name);
  const t = Date.now();
  try {
    const [value, detail] = await body();
    timings[name] = (Date.now() - t) / 1000;
    r.done(name, detail);
    return value;
  } catch (error) {
    throw error instanceof StepError ? error : new StepError(name, apiErrorMessage(error));
  }
}

/** --map applies to the evaluation pairs file too unless --eval-map is given (a BEIR corpus takes --eval-map only). */
export function evalPairsMapping(o: DemoOptions) {
  return o.evalMapping ?? o.mapping;
}

export function customPlan(o: DemoOptions): DemoPlan {
  const evalFiles = o.eval!;
  const pairsMapping = evalPairsMapping(o);
  const evalImport: PlannedImport = evalFiles.length === 1
    ? { datasetName: "my-eval", kind: "EVALUATION", files: [{ path: path.resolve(evalFiles[0]!), role: "pairs", ...(pairsMapping ? { mapping: pairsMapping } : {}) }] }
    : {
        datasetName: "my-eval", kind: "EVALUATION",
        files: (["corpus", "queries", "qrels"] as const).map((role, i) => ({ path: path.resolve(evalFiles[i]!), role, ...(o.evalMapping && role === "corpus" ? { mapping: o.evalMapping } : {}) })),
      };
  return {
    train: "my-train", evaluation: "my-eval", documents: o.docs ? "my-docs" : null,
    imports: [
      { datasetName: "my-train", kind: "TRAINING", files: [{ path: path.resolve(o.train!), role: "pairs", ...(o.mapping ? { mapping: o.mapping } : {}) }] },
      evalImport,
      ...(o.docs ? [{ datasetName: "my-docs", kind: "DOCUMENTS" as const, files: [{ path: path.resolve(o.docs), role: "docs" as const }] }] : []),
    ],
  };
}

async function looksChinese(file: string): Promise<boolean> {
  const handle = await open(file);
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    return /[\u4e00-\u9fff]/.test(head.toString("utf8")) || /[\u4e00-\u9fff]/.test(new TextDecoder("gb18030").decode(head));
  } finally {
    await handle.close();
  }
}

export async function runDemo(o: DemoOptions, r: Reporter): Promise<DemoResult> {
  const timings: Record<string, number> = {};
  const demoData = !o.train;

  // 1. Account: the given one, or a new demo user (its password is kept in a 0600 file, never printed).
  const { jar, api, email, credentialsFile } = await step("sign in", r, timings, async () => {
    await checkPlatform(o.url);
    let email = o.email;
    let password = o.password;
    let credentialsFile: string | null = null;
    if (!email || !password) {
      email = `demo-${randomBytes(4).toString("hex")}@m3studio.local`;
      password = randomBytes(18).toString("base64url");
      await apiClient(o.url, null).auth.signUp.mutate({ email, password, name: "Demo" });
      credentialsFile = path.resolve(".data", "demo-credentials.json");
      await mkdir(path.dirname(credentialsFile), { recursive: true });
      await writeFile(credentialsFile, JSON.stringify({ url: o.url, email, password }, null, 2) + "\n", { mode: 0o600 });
    }
    const jar: CookieJar | null = await signIn(o.url, email, password);
    if (!jar) throw new Error(`the platform refused the credentials of ${email}`);
    return [{ jar, api: apiClient(o.url, jar), email, credentialsFile }, `signed in as ${email}${credentialsFile ? ` (new user; password in ${credentialsFile})` : ""}`];
  });

  // 2. Workspace + the default base model, registered by the server (it knows where its model lives).
  const ws = await step("workspace", r, timings, async () => {
    const created = await api.demo.create.mutate({ name: demoData ? "Medical demo" : "Demo", withData: false });
    if (!created.baseModel) throw new Error(`the platform has no base model: the demo model is not built. Run on the platform's host: ${created.buildModelCommand}`);
    return [{ id: created.workspace.id, slug: created.workspace.slug, baseModelId: created.baseModel.id }, `${created.workspace.slug}, base model ${created.baseModel.name}`];
  });
  const workspaceId = ws.id;

  // 3. Upload + import, exactly as the data studio does (upload route, then dataset.startImport → import job).
  const versions = await step("data", r, timings, async () => {
    let tmp: string | null = null;
    try {
      let plan: DemoPlan;
      if (demoData) {
        const dataDir = demoDataDir();
        if (!dataDir) throw new Error("the demo data (data/demo/ in the checkout, or M3_DEMO_DATA) was not found");
        tmp = await mkdtemp(path.join(os.tmpdir(), "m3-demo-"));
        plan = await writeDemoFiles(tmp, dataDir);
      } else {
        await checkPairsColumns(path.resolve(o.train!), o.mapping, "--map");
        if (o.eval!.length === 1) await checkPairsColumns(path.resolve(o.eval![0]!), evalPairsMapping(o), "--eval-map");
        plan = customPlan(o);
      }
      const jobs = [];
      for (const item of plan.imports) {
        const files = [];
        for (const f of item.files) {
          const upload = await uploadFile(o.url, jar, workspaceId, f.path);
          files.push({ uploadId: upload.id, role: f.role, ...(f.mapping ? { mapping: f.mapping } : {}) });
        }
        const job = await api.dataset.startImport.mutate({ workspaceId, datasetName: item.datasetName, kind: item.kind, files });
        jobs.push({ name: item.datasetName, id: job.id });
      }
      const byName = new Map<string, { versionId: string; rows: number }>();
      for (const j of jobs) {
        const done = await waitJob(api, workspaceId, j.id, `import of ${j.name}`, 10 * 60_000);
        const result = done.result as { versionId: string; rows: number };
        byName.set(j.name, result);
        r.info(`${j.name}: ${result.rows} rows`);
      }
      return [{ train: byName.get(plan.train)!.versionId, evaluation: byName.get(plan.evaluation)!.versionId, documents: plan.documents ? byName.get(plan.documents)!.versionId : null }, `${jobs.length} datasets imported`];
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  // 4. Quality report of the training version (lengths in model tokens, duplicates, near-duplicates, pos/neg similarity).
  await step("quality", r, timings, async () => {
    const job = await api.dataset.computeQuality.mutate({ workspaceId, versionId: versions.train });
    const done = await waitJob(api, workspaceId, job.id, "quality report", 5 * 60_000);
    const score = (done.result as { score?: number } | null)?.score;
    return [null, `report ready${typeof score === "number" ? `, score ${score}` : ""}`];
  });

  // 5. Synthesis with the offline generator, then a review pass and an export to a training dataset.
  await step("synthesis + review", r, timings, async () => {
    if (!versions.documents) return [null, "skipped (no --docs given)"];
    const language = demoData || (await looksChinese(o.docs!)) ? "zh" : "en";
    const run = await api.synthesis.create.mutate({
      workspaceId, name: "demo synthesis", sourceVersionId: versions.documents,
      config: { domain: "medical", language, useLlm: false, maxChunks: 12, queriesPerChunk: 2, chunkTokens: 256, overlapTokens: 32, overlap: 2, reviewerIds: [] },
    });
    await waitJob(api, workspaceId, run.jobId!, "synthesis", 5 * 60_000);
    const { rows } = await api.synthesis.candidates.query({ workspaceId, runId: run.id, limit: 200 });
    // The scripted reviewer: accept a draft whose own chunk the base model ranks in its top 3 (round trip), else reject.
    let accepted = 0;
    for (const c of rows) {
      const ok = c.roundTripRank !== null && c.roundTripRank <= 3;
      await api.synthesis.judge.mutate({ workspaceId, candidateId: c.id, decision: ok ? "ACCEPT" : "REJECT", grade: ok ? 2 : 0, editedQuery: null });
      if (ok) accepted++;
    }
    if (accepted > 0) await api.synthesis.export.mutate({ workspaceId, runId: run.id, target: "training", datasetName: "synthetic-queries" });
    return [null, `${rows.length} drafts reviewed, ${accepted} accepted${accepted ? " and exported to synthetic-queries" : ""}`];
  });

  // 6. The base model on the held-out set (the run reuses these results for the comparison).
  await step("evaluate base", r, timings, async () => {
    const ev = await api.evaluation.create.mutate({ workspaceId, name: "base model", evalVersionId: versions.evaluation, subjects: [{ kind: "base", id: ws.baseModelId }], modes: DEMO_TRAIN_CONFIG.evalModes });
    await waitJob(api, workspaceId, ev.jobId!, "base evaluation", 10 * 60_000);
    return [null, "dense + sparse scored"];
  });

  // 7. LoRA fine-tune on CPU; the train job evaluates every checkpoint on the held-out set and marks the best.
  const run = await step("fine-tune", r, timings, async () => {
    const created = await api.experiment.create.mutate({
      workspaceId, name: "demo LoRA", baseModelId: ws.baseModelId, trainVersionId: versions.train, evalVersionId: versions.evaluation,
      preset: "lora_quick", config: { ...DEMO_TRAIN_CONFIG, maxSteps: o.steps, saveSteps: Math.max(1, Math.ceil(o.steps / 2)) },
    });
    let lastShown = 0;
    const done = await until("training run", 30 * 60_000, async () => {
      const { run } = await api.experiment.get.query({ workspaceId, experimentId: created.id });
      if (run.status === "FAILED" || run.status === "CANCELLED") throw new Error(`run ${run.status.toLowerCase()}: ${run.error ?? "no reason recorded"}`);
      if (run.lastStep && Date.now() - lastShown > 15_000) {
        lastShown = Date.now();
        r.info(`step ${run.lastStep}/${run.totalSteps ?? "?"}${run.phase ? ` (${run.phase})` : ""}`);
      }
      return run.status === "SUCCEEDED" ? run : null;
    });
    if (!done.bestCheckpointId) throw new Error("the run finished without a best checkpoint");
    return [{ id: done.id, bestCheckpointId: done.bestCheckpointId }, `${done.totalSteps} steps, checkpoints evaluated`];
  });

  // 8. The comparison the browser shows (numbers from the evaluation jobs, p-values from per-query results).
  const table = await step("compare", r, timings, async () => {
    const cmp = await api.experiment.compare.query({ workspaceId, subjects: [`base:${ws.baseModelId}`, `run:${run.id}`], evalVersionId: versions.evaluation });
    const table = buildTable(cmp.table.dense ?? [], { mode: "dense", queries: cmp.queryCount, base: cmp.subjects[0]!.label, tuned: cmp.subjects[1]!.label });
    const ndcg = table.rows.find((x) => x.metric === "nDCG@10")!;
    if (demoData && !tunedWins(table)) throw new Error(`the tuned model did not beat the base on nDCG@10 and MRR@10 (nDCG@10 ${ndcg.base.toFixed(4)} → ${ndcg.tuned.toFixed(4)})`);
    return [table, `nDCG@10 ${ndcg.base.toFixed(4)} → ${ndcg.tuned.toFixed(4)}`];
  });

  // 9. Deploy the best checkpoint and call it once with a new API key.
  const deployment = await step("deploy", r, timings, async () => {
    const created = await api.deployment.create.mutate({ workspaceId, name: "demo", model: { kind: "checkpoint", id: run.bestCheckpointId }, acceptFeedback: false });
    const live = await until("deployment", 5 * 60_000, async () => {
      const d = await api.deployment.get.query({ workspaceId, deploymentId: created.id });
      if (d.status === "FAILED" || d.status === "STOPPED") throw new Error(`deployment ${d.status.toLowerCase()}: ${d.statusMessage ?? "no reason recorded"}`);
      return d.status === "LIVE" && d.url ? d : null;
    });
    return [{ id: live.id, url: live.url! }, `LIVE at ${live.url}`];
  });

  const dim = await step("embeddings call", r, timings, async () => {
    const key = await api.deployment.createApiKey.mutate({ workspaceId, name: "demo", deploymentIds: [deployment.id] });
    const res = await fetch(`${deployment.url.replace(/\/+$/, "")}/v1/embeddings`, {
      method: "POST", headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "demo", input: ["What are the symptoms of liver fibrosis?", "脂肪肝怎么治疗"] }),
    });
    const body = (await res.json().catch(() => ({}))) as { data?: { embedding: number[] }[]; error?: unknown };
    if (!res.ok || !body.data?.length) throw new Error(`POST /v1/embeddings answered ${res.status}: ${JSON.stringify(body.error ?? body).slice(0, 300)}`);
    return [body.data[0]!.embedding.length, `${body.data.length} embeddings of dimension ${body.data[0]!.embedding.length}`];
  });

  let stopped = false;
  if (!o.keepDeployment) {
    await step("undeploy", r, timings, async () => {
      await api.deployment.undeploy.mutate({ workspaceId, deploymentId: deployment.id });
      stopped = true;
      return [null, "stopped (pass --keep-deployment to leave it running)"];
    });
  }

  return {
    table, timings,
    workspace: { slug: ws.slug, url: `${o.url}/w/${ws.slug}` },
    account: { email, credentialsFile },
    deployment: { url: deployment.url, dim, stopped },
  };
}
