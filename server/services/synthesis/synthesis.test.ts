import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { runImport } from "../datasets/import/run-import";
import { startOpenAiStub, type OpenAiStub } from "../../testing/openai-stub";
import { uploadContent, useTempArtifacts } from "../../testing/datasets";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { runSynthesis } from "./run-synthesis";

/**
 * Synthesis → review → agreement → export through the services and tRPC procedures, with the
 * LLM played by a real local HTTP server speaking the OpenAI chat API (429s, a timeout,
 * malformed JSON), and with the offline generator.
 */
let stub: OpenAiStub;
let workspaceId: string;
let ownerId: string;
let reviewerId: string;
let documentsVersionId: string;
const hooks = { progress: async () => undefined, log: async () => undefined, signal: new AbortController().signal };

const DOCS = [
  { id: "gerd", title: "胃食管反流", text: "胃食管反流病的常见症状包括烧心和反酸。治疗上常用质子泵抑制剂，如奥美拉唑，并配合促动力药物。睡前三小时避免进食，抬高床头也有帮助。" },
  { id: "hepb", title: "Hepatitis B", text: "Hepatitis B is a liver infection caused by the hepatitis B virus. It spreads through blood and body fluids. A safe and effective vaccine offers protection. Chronic infection can lead to cirrhosis." },
  { id: "gall", title: "胆结石", text: "胆结石多数没有症状。出现胆绞痛时表现为右上腹剧烈疼痛，常在进食油腻食物后发作。反复发作的患者可考虑腹腔镜胆囊切除术。" },
];

beforeAll(async () => {
  process.env.M3_LLM_TIMEOUT_MS = "400";
  process.env.M3_LLM_RETRIES = "2";
  await useTempArtifacts();
  stub = await startOpenAiStub();
  ownerId = (await createUser()).id;
  reviewerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }, { userId: reviewerId, role: "EDITOR" }])).id;
  const upload = await uploadContent(workspaceId, ownerId, "docs.jsonl", DOCS.map((d) => JSON.stringify(d)).join("\n"));
  const imported = await runImport({ workspaceId, userId: ownerId, datasetName: "docs", kind: "DOCUMENTS", pairsAsEvaluation: false, files: [{ uploadId: upload.id, role: "docs" }] }, hooks);
  documentsVersionId = imported.versionId;
});
afterAll(async () => stub.close());

describe("synthesis with an OpenAI-compatible endpoint", () => {
  it("retries 429s, survives a timeout and malformed replies, and keeps the API key out of the browser", async () => {
    const owner = callerFor(ownerId);
    await owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: stub.baseUrl, model: "stub-model", apiKey: "sk-test-secret" });
    const visible = await owner.synthesis.llmSettings({ workspaceId });
    expect(visible).toMatchObject({ baseUrl: stub.baseUrl, model: "stub-model", hasKey: true });
    expect(JSON.stringify(visible)).not.toContain("sk-test-secret");
    const stored = await db.llmSettings.findUniqueOrThrow({ where: { workspaceId } });
    expect(stored.apiKeyCiphertext).not.toContain("sk-test-secret");

    // chunk 1: 429 then OK; chunk 2: timeout (both attempts) → an LLM error; chunk 3: malformed JSON body then prose.
    stub.enqueue(
      { kind: "status", status: 429, retryAfter: "0" },
      { kind: "ok", content: JSON.stringify(["胃反流怎么治疗？", "烧心反酸吃什么药？"]) },
      { kind: "hang" }, { kind: "hang" }, { kind: "hang" },
      { kind: "malformed-json" }, { kind: "malformed-json" }, { kind: "malformed-json" },
    );
    const run = await owner.synthesis.create({
      workspaceId, name: "llm run", sourceVersionId: documentsVersionId,
      config: { domain: "medical", language: "zh", queriesPerChunk: 2, chunkTokens: 512, overlapTokens: 0, maxChunks: 50, useLlm: true, reviewerIds: [ownerId, reviewerId], overlap: 2 },
    });
    const stats = await runSynthesis({ workspaceId, runId: run.id }, hooks);
    expect(stats.chunks).toBe(3);
    expect(stats.llmErrors).toBe(2);
    expect(stats.retries).toBeGreaterThanOrEqual(1);
    expect(stats.candidates).toBe(2);
    expect(stub.requests[0]!.headers.authorization).toBe("Bearer sk-test-secret");
    const candidates = await db.candidate.findMany({ where: { runId: run.id }, orderBy: { ordinal: "asc" } });
    expect(candidates.map((c) => c.query)).toEqual(["胃反流怎么治疗？", "烧心反酸吃什么药？"]);
    expect(await db.assignment.count({ where: { candidate: { runId: run.id } } })).toBe(4);
  });
});

describe("offline synthesis, review, agreement and export", () => {
  it("drafts candidates offline, two reviewers judge them, kappa appears, exports create versions", async () => {
    const owner = callerFor(ownerId);
    const reviewer = callerFor(reviewerId);
    const run = await owner.synthesis.create({
      workspaceId, name: "offline run", sourceVersionId: documentsVersionId,
      config: { domain: "medical", language: "zh", queriesPerChunk: 3, chunkTokens: 512, overlapTokens: 0, maxChunks: 50, useLlm: false, reviewerIds: [ownerId, reviewerId], overlap: 2 },
    });
    const stats = await runSynthesis({ workspaceId, runId: run.id }, hooks);
    expect(stats.offline).toBe(3);
    expect(stats.candidates).toBeGreaterThanOrEqual(4);

    const queue = await owner.synthesis.queue({ workspaceId, runId: run.id });
    expect(queue.length).toBe(stats.candidates);
    // Both accept the first half and reject the rest, except one disagreement.
    for (const [i, c] of queue.entries()) {
      const accept = i < queue.length / 2;
      await owner.synthesis.judge({ workspaceId, candidateId: c.id, decision: accept ? "ACCEPT" : "REJECT", grade: accept ? 3 : 0, editedQuery: i === 0 ? "胃反流应该怎么治？" : null });
      const disagree = i === queue.length - 1;
      await reviewer.synthesis.judge({ workspaceId, candidateId: c.id, decision: accept !== disagree ? "ACCEPT" : "REJECT", grade: accept ? 2 : disagree ? 2 : 0, editedQuery: null });
    }
    // Undo removes a judgement and the status follows.
    const last = queue[queue.length - 1]!;
    await reviewer.synthesis.undo({ workspaceId, candidateId: last.id });
    await reviewer.synthesis.judge({ workspaceId, candidateId: last.id, decision: "ACCEPT", grade: 2, editedQuery: null });
    expect((await db.candidate.findUniqueOrThrow({ where: { id: last.id } })).status).toBe("PENDING");

    const agreement = await owner.synthesis.agreement({ workspaceId, runId: run.id });
    expect(agreement.pairs).toHaveLength(1);
    expect(agreement.pairs[0]!.shared).toBe(queue.length);
    expect(agreement.pairs[0]!.decisionKappa).toBeGreaterThan(0.5);
    expect(agreement.pairs[0]!.decisionKappa).toBeLessThan(1);

    const accepted = await db.candidate.count({ where: { runId: run.id, status: "ACCEPTED" } });
    const training = await owner.synthesis.export({ workspaceId, runId: run.id, target: "training", datasetName: "reviewed" });
    expect(training.rowCount).toBe(accepted);
    const firstPair = await db.datasetRecord.findFirstOrThrow({ where: { versionId: training.id }, orderBy: { ordinal: "asc" } });
    expect((firstPair.data as { query: string }).query).toBe("胃反流应该怎么治？");
    const evaluation = await owner.synthesis.export({ workspaceId, runId: run.id, target: "evaluation", datasetName: "reviewed-eval" });
    expect((evaluation.counts as Record<string, number>).query).toBe(queue.length);
    const grades = await db.datasetRecord.findMany({ where: { versionId: evaluation.id, type: "qrel" }, select: { data: true } });
    const relevance = grades.map((g) => (g.data as { relevance: number }).relevance);
    expect(relevance[0]).toBe(3); // mean of 3 and 2, rounded
    expect(relevance).toContain(0);
  });
});
