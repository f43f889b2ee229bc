import { db } from "../../db";
import {
  chunkText, createChatClient, defaultTemplate, generateOfflineQuestions, generateQuestionsWithLlm, type PromptTemplate,
} from "../../lib/synthesis";
import { assignOverlap } from "../../lib/review";
import { PermanentJobError } from "../../jobs/types";
import { llmAllowedHosts, loadLlmCredentials } from "./llm-settings";
import type { SynthesisConfig } from "./runs";

export interface SynthesisHooks {
  progress(fraction: number, message: string): Promise<void>;
  log(line: string, level?: "info" | "warn" | "error"): Promise<void>;
  signal: AbortSignal;
  /** Rank (1-based) of each query's own chunk when the base model searches all chunks; null when no model. */
  roundTripRanks?: (chunks: { key: string; text: string }[], queries: { chunkKey: string; query: string }[]) => Promise<(number | null)[]>;
  /** Token count of the base model's tokenizer, for chunking by tokens (characters otherwise). */
  tokenCount?: (text: string) => number;
}

interface Draft {
  chunkKey: string;
  chunkText: string;
  query: string;
  origin: "llm" | "offline";
}

async function templateFor(workspaceId: string, config: SynthesisConfig): Promise<PromptTemplate> {
  const custom = await db.promptTemplate.findUnique({ where: { workspaceId_domain_language: { workspaceId, domain: config.domain, language: config.language } } });
  const base = defaultTemplate(config.domain, config.language);
  return custom ? { ...base, system: custom.system, user: custom.user } : base;
}

/**
 * The synthesis job: chunk every document, draft `queriesPerChunk` queries per chunk with the
 * workspace's LLM (or offline when none is configured or `useLlm` is off), drop malformed
 * replies (counted, never fatal), score each draft's round trip with the base model, assign
 * reviewers with overlap, and store the candidates. Idempotent: a retry replaces them.
 */
export async function runSynthesis({ workspaceId, runId }: { workspaceId: string; runId: string }, hooks: SynthesisHooks) {
  const run = await db.synthesisRun.findFirstOrThrow({ where: { id: runId, workspaceId } });
  const config = run.config as SynthesisConfig;
  const docs = await db.datasetRecord.findMany({ where: { versionId: run.sourceVersionId, type: "doc" }, orderBy: { ordinal: "asc" }, select: { key: true, data: true } });

  const chunks: { key: string; text: string }[] = [];
  for (const doc of docs) {
    const data = doc.data as { id: string; title?: string; text: string };
    for (const c of chunkText(data.text, { size: config.chunkTokens, overlap: config.overlapTokens, ...(hooks.tokenCount ? { count: hooks.tokenCount } : {}) })) {
      chunks.push({ key: `${data.id}#${c.index}`, text: c.text });
      if (chunks.length >= config.maxChunks) break;
    }
    if (chunks.length >= config.maxChunks) break;
  }
  await hooks.log(`${docs.length} documents → ${chunks.length} chunks`);

  const credentials = config.useLlm ? await loadLlmCredentials(workspaceId) : null;
  // M3_LLM_TIMEOUT_MS / M3_LLM_RETRIES tune slow or flaky endpoints (and keep tests short).
  const tuning = {
    ...(process.env.M3_LLM_TIMEOUT_MS ? { timeoutMs: Number(process.env.M3_LLM_TIMEOUT_MS) } : {}),
    ...(process.env.M3_LLM_RETRIES ? { maxRetries: Number(process.env.M3_LLM_RETRIES) } : {}),
  };
  if (credentials?.keyWithheld) await hooks.log("the stored API key was entered for another host than the base URL now names: calling without it (enter the key again in the LLM settings)", "warn");
  const client = credentials
    ? createChatClient({ baseUrl: credentials.baseUrl, model: credentials.model, apiKey: credentials.apiKey ?? undefined, allowedHosts: llmAllowedHosts, ...tuning })
    : null;
  const template = await templateFor(workspaceId, config);
  const stats = { chunks: chunks.length, llmCalls: 0, malformed: 0, llmErrors: 0, retries: 0, offline: 0, candidates: 0 };
  if (!client) await hooks.log(config.useLlm ? "no LLM configured for this workspace: using the offline generator" : "offline generator chosen");

  const drafts: Draft[] = [];
  for (const [i, chunk] of chunks.entries()) {
    if (hooks.signal.aborted) throw new Error("synthesis cancelled");
    let questions: string[] | null = null;
    if (client) {
      stats.llmCalls++;
      const reply = await generateQuestionsWithLlm(client, template, chunk.text, config.queriesPerChunk, { signal: hooks.signal });
      stats.retries += Math.max(0, reply.attempts - 1);
      // A refused base URL fails every chunk the same way: stop with the reason instead of logging it per chunk.
      if (reply.error?.kind === "refused") throw new PermanentJobError(`LLM call refused: ${reply.error.message}`);
      if (reply.error) {
        stats.llmErrors++;
        await hooks.log(`chunk ${chunk.key}: ${reply.error.kind}: ${reply.error.message}`, "warn");
      } else if (reply.malformed) stats.malformed++;
      else questions = reply.questions;
    } else {
      questions = generateOfflineQuestions(chunk.text, config.queriesPerChunk, config.language);
      stats.offline++;
    }
    for (const query of questions ?? []) drafts.push({ chunkKey: chunk.key, chunkText: chunk.text, query, origin: client ? "llm" : "offline" });
    if (i % 10 === 0) await hooks.progress((0.8 * (i + 1)) / chunks.length, `${i + 1}/${chunks.length} chunks, ${drafts.length} candidates`);
  }

  await hooks.progress(0.85, "scoring round trips");
  const ranks = hooks.roundTripRanks && drafts.length ? await hooks.roundTripRanks(chunks, drafts) : drafts.map(() => null);
  const reviewers = config.reviewerIds;
  const assignments = reviewers.length ? assignOverlap(drafts.map((_, i) => String(i)), reviewers, { overlap: Math.min(config.overlap, reviewers.length), seed: 7 }) : [];
  stats.candidates = drafts.length;

  await db.$transaction(async (tx) => {
    await tx.candidate.deleteMany({ where: { runId } });
    for (let start = 0; start < drafts.length; start += 1000) {
      await tx.candidate.createMany({
        data: drafts.slice(start, start + 1000).map((d, j) => ({ runId, ordinal: start + j, chunkKey: d.chunkKey, chunkText: d.chunkText, query: d.query, origin: d.origin, roundTripRank: ranks[start + j] ?? null })),
      });
    }
    if (assignments.length) {
      const ids = await tx.candidate.findMany({ where: { runId }, select: { id: true, ordinal: true } });
      const byOrdinal = new Map(ids.map((c) => [String(c.ordinal), c.id]));
      await tx.assignment.createMany({
        data: assignments.flatMap((a) => a.reviewerIds.map((reviewerId) => ({ candidateId: byOrdinal.get(a.itemId)!, reviewerId }))),
      });
    }
    await tx.synthesisRun.update({ where: { id: runId }, data: { stats } });
  }, { timeout: 600_000 });
  await hooks.progress(1, `${drafts.length} candidates`);
  return stats;
}
