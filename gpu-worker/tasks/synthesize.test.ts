import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/server/db";
import { runImport } from "~/server/services/datasets/import/run-import";
import { uploadContent, useTempArtifacts } from "~/server/testing/datasets";
import { callerFor, createUser, createWorkspaceWith } from "~/server/testing/factories";
import { startOpenAiStub, type OpenAiStub } from "~/server/testing/openai-stub";
import { spawnWorker, waitFor, type SpawnedWorker } from "../testing/spawn-worker";

/**
 * The synthesize job in a real worker process, calling the workspace's LLM base URL (issue #13, findings 3 and 4).
 * Loopback endpoints are played by real local OpenAI stubs, so "refused" is visible as a stub that received nothing.
 * The worker's M3_LLM_ALLOWED_HOSTS is set per worker; the in-process app (tRPC saves) allows 127.0.0.1.
 */
const LEAK_MARKER = "UPSTREAM-BODY-MARKER-sk-proj-9f8e7d";
let stub: OpenAiStub; // 127.0.0.1
let stub6: OpenAiStub; // ::1
let other: OpenAiStub; // 127.0.0.1, another port: another origin
let ownerId: string;
let viewerId: string;
const workers: SpawnedWorker[] = [];
const hooks = { progress: async () => undefined, signal: new AbortController().signal };

beforeAll(async () => {
  await useTempArtifacts();
  [stub, stub6, other] = await Promise.all([startOpenAiStub(), startOpenAiStub({ host: "::1" }), startOpenAiStub()]);
  ownerId = (await createUser()).id;
  viewerId = (await createUser()).id;
});
afterEach(async () => {
  for (const w of workers.splice(0)) {
    w.child.kill("SIGTERM");
    await w.exited;
  }
});
afterAll(async () => {
  await Promise.all([stub.close(), stub6.close(), other.close()]);
  await db.$disconnect();
});

async function startWorker(allowedHosts: string) {
  // One attempt per chunk and a short timeout: a refused call must not look like a slow one.
  const worker = await spawnWorker({ WORKER_JOB_TYPES: "synthesize", M3_LLM_ALLOWED_HOSTS: allowedHosts, M3_LLM_TIMEOUT_MS: "3000", M3_LLM_RETRIES: "0" });
  workers.push(worker);
  return worker;
}

/** A workspace (owner + viewer) holding one documents version of `docs` documents. */
async function workspaceWithDocuments(docs = 1) {
  const workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }, { userId: viewerId, role: "VIEWER" }])).id;
  const rows = Array.from({ length: docs }, (_, i) => JSON.stringify({ id: `d${i}`, text: `Hepatitis B is a liver infection, document ${i}. A vaccine offers protection.` }));
  const upload = await uploadContent(workspaceId, ownerId, "docs.jsonl", rows.join("\n"));
  const imported = await runImport({ workspaceId, userId: ownerId, datasetName: "docs", kind: "DOCUMENTS", pairsAsEvaluation: false, files: [{ uploadId: upload.id, role: "docs" }] }, hooks);
  return { workspaceId, versionId: imported.versionId };
}

/** Starts a synthesis run (one chunk per document) through tRPC and waits for its job to end. */
async function synthesize(workspace: { workspaceId: string; versionId: string }) {
  const run = await callerFor(ownerId).synthesis.create({
    workspaceId: workspace.workspaceId, name: "llm run", sourceVersionId: workspace.versionId,
    config: { domain: "medical", language: "en", queriesPerChunk: 1, chunkTokens: 512, overlapTokens: 0, maxChunks: 10, useLlm: true, reviewerIds: [], overlap: 1 },
  });
  const job = await waitFor(async () => {
    const row = await db.job.findUniqueOrThrow({ where: { id: run.jobId! } });
    return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.status) ? row : null;
  }, 60_000, "the synthesize job to end");
  // What a viewer of the workspace can read about the run: the job with its logs, and the run.
  const viewer = callerFor(viewerId);
  const visible = {
    job: await viewer.job.get({ workspaceId: workspace.workspaceId, jobId: job.id }),
    run: await viewer.synthesis.get({ workspaceId: workspace.workspaceId, runId: run.id }),
  };
  return { job, visible, logs: visible.job.logs.map((l) => l.message) };
}

const saveBaseUrl = (workspaceId: string, baseUrl: string, apiKey?: string) =>
  callerFor(ownerId).synthesis.saveLlmSettings({ workspaceId, baseUrl, model: "stub-model", ...(apiKey !== undefined ? { apiKey } : {}) });

/** A row as stored before save-time checks existed (or written another way): the worker must check it itself. */
const storeRawBaseUrl = (workspaceId: string, baseUrl: string) =>
  db.llmSettings.upsert({ where: { workspaceId }, create: { workspaceId, baseUrl, model: "stub-model", updatedById: ownerId }, update: { baseUrl } });

const requestCount = () => stub.requests.length + stub6.requests.length + other.requests.length;

describe("synthesize job: internal LLM addresses", () => {
  it("refuses loopback and metadata addresses in every spelling when the host is not allowed; no stub sees a request", async () => {
    await startWorker("");
    const workspace = await workspaceWithDocuments();
    const port = new URL(stub.baseUrl).port;
    const cases: Array<[baseUrl: string, via: "tRPC" | "row"]> = [
      [stub.baseUrl, "tRPC"], // http://127.0.0.1:port/v1
      [`http://localhost:${port}/v1`, "tRPC"], // a name resolving to loopback: refused at connect time
      [`http://127.1:${port}/v1`, "row"],
      [`http://0x7f000001:${port}/v1`, "row"],
      [`http://[::ffff:127.0.0.1]:${port}/v1`, "row"],
      [stub6.baseUrl, "row"], // http://[::1]:port/v1
      ["http://169.254.169.254/latest/meta-data", "row"],
    ];
    for (const [baseUrl, via] of cases) {
      if (via === "tRPC") await saveBaseUrl(workspace.workspaceId, baseUrl, "sk-test-key");
      else await storeRawBaseUrl(workspace.workspaceId, baseUrl);
      const before = requestCount();
      const { job } = await synthesize(workspace);
      expect(job.status, baseUrl).toBe("FAILED");
      expect(job.attempts, `${baseUrl}: a refusal is not retried`).toBe(1);
      expect(job.lastError, baseUrl).toContain("LLM call refused");
      expect(job.lastError, baseUrl).toContain("M3_LLM_ALLOWED_HOSTS");
      expect(requestCount(), `${baseUrl} reached a stub`).toBe(before);
    }
    expect(requestCount()).toBe(0);
  }, 180_000);

  it("calls them when M3_LLM_ALLOWED_HOSTS names the host, and only the host named", async () => {
    await startWorker("::1, localhost");
    const workspace = await workspaceWithDocuments();
    const port = new URL(stub.baseUrl).port;
    for (const [baseUrl, target] of [[stub6.baseUrl, stub6], [`http://localhost:${port}/v1`, stub]] as const) {
      await storeRawBaseUrl(workspace.workspaceId, baseUrl);
      const before = target.requests.length;
      const { job } = await synthesize(workspace);
      expect(job.status, baseUrl).toBe("SUCCEEDED");
      expect(target.requests.length, baseUrl).toBe(before + 1);
      expect((job.result as { candidates: number }).candidates, baseUrl).toBe(1);
    }
    // "localhost" is allowed, not the addresses it resolves to: 127.0.0.1 written as such is still refused.
    await storeRawBaseUrl(workspace.workspaceId, stub.baseUrl);
    const before = stub.requests.length;
    const { job } = await synthesize(workspace);
    expect(job.status).toBe("FAILED");
    expect(job.lastError).toContain("LLM call refused");
    expect(stub.requests.length).toBe(before);
  }, 180_000);
});

describe("synthesize job: what reaches users from the upstream", () => {
  it("4xx bodies never reach the job log, job error or run; a redirect is not followed", async () => {
    await startWorker("127.0.0.1");
    const workspace = await workspaceWithDocuments(3);
    await saveBaseUrl(workspace.workspaceId, stub.baseUrl, "sk-test-key");
    stub.enqueue(
      { kind: "status", status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${LEAK_MARKER}` } }) },
      { kind: "status", status: 400, body: `<html>internal admin panel ${LEAK_MARKER}</html>` },
      { kind: "status", status: 307, headers: { location: `${other.baseUrl}/chat/completions` }, body: LEAK_MARKER },
    );
    const { job, visible, logs } = await synthesize(workspace);
    expect(job.status).toBe("SUCCEEDED");
    expect(JSON.stringify(visible)).not.toContain(LEAK_MARKER);
    expect(JSON.stringify(job)).not.toContain(LEAK_MARKER);
    expect(logs).toContainEqual(expect.stringContaining("LLM API answered HTTP 401 (check the key and model)"));
    expect(logs).toContainEqual(expect.stringContaining("LLM API answered HTTP 400"));
    expect(logs).toContainEqual(expect.stringContaining("LLM API answered HTTP 307: redirects are not followed"));
    expect(other.requests).toHaveLength(0);
  }, 120_000);
});

describe("synthesize job: the stored key and a new origin", () => {
  it("a save to a new origin without the key is refused, and a URL changed anyway never gets the old key", async () => {
    await startWorker("127.0.0.1");
    const workspace = await workspaceWithDocuments();
    await saveBaseUrl(workspace.workspaceId, stub.baseUrl, "sk-old-key");
    const refused = await saveBaseUrl(workspace.workspaceId, other.baseUrl).then(() => null, (e: Error & { cause?: { field?: string } }) => e);
    expect(refused, "a save to a new origin without the key should be refused").toBeInstanceOf(Error);
    expect(refused?.message).toContain("Enter the API key again for the new host");
    expect(refused?.cause?.field).toBe("apiKey");

    // The refused save left the old origin in place: the job calls it, with its key.
    const first = await synthesize(workspace);
    expect(first.job.status).toBe("SUCCEEDED");
    expect(stub.requests.at(-1)?.headers.authorization).toBe("Bearer sk-old-key");
    expect(other.requests).toHaveLength(0);

    // The URL changed by another route (a direct row update): the job calls the new origin without the key.
    await db.llmSettings.update({ where: { workspaceId: workspace.workspaceId }, data: { baseUrl: other.baseUrl } });
    const second = await synthesize(workspace);
    expect(second.job.status).toBe("SUCCEEDED");
    expect(other.requests.length).toBeGreaterThan(0);
    expect(other.requests.map((r) => r.headers.authorization ?? null)).toEqual(other.requests.map(() => null));
    expect(second.logs).toContainEqual(expect.stringContaining("entered for another host"));

    // Typing the key for the new origin stores it for that origin.
    await saveBaseUrl(workspace.workspaceId, other.baseUrl, "sk-new-key");
    await synthesize(workspace);
    expect(other.requests.at(-1)?.headers.authorization).toBe("Bearer sk-new-key");
  }, 180_000);
});
