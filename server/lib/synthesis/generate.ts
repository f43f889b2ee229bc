import { ChatError, type ChatClient } from "./chat-client";
import { parseQuestions } from "./parse-questions";
import { renderTemplate, type PromptTemplate } from "./templates";

/**
 * One chunk → up to k questions through the LLM. Never throws for LLM trouble: a failed call (after the client's
 * retries) is reported as `error`, an unusable reply as `malformed`; only an abort (the job was cancelled) throws.
 * `SynthesisCounters` tallies a whole run for the job's progress/result.
 */
export interface ChunkQuestions {
  questions: string[];
  malformed: boolean;
  error: { kind: string; message: string } | null;
  attempts: number;
}

export async function generateQuestionsWithLlm(
  client: ChatClient,
  template: PromptTemplate,
  chunk: string,
  k: number,
  opts: { signal?: AbortSignal; temperature?: number; vars?: Record<string, string | number> } = {},
): Promise<ChunkQuestions> {
  const messages = renderTemplate(template, { ...opts.vars, chunk, k });
  try {
    const res = await client.complete(messages, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      temperature: opts.temperature ?? 0.7,
    });
    const parsed = parseQuestions(res.content, k);
    return { questions: parsed.questions, malformed: parsed.malformed, error: null, attempts: res.attempts };
  } catch (e) {
    if (e instanceof ChatError) return { questions: [], malformed: false, error: { kind: e.kind, message: e.message }, attempts: e.attempts };
    throw e;
  }
}

export class SynthesisCounters {
  chunks = 0;
  questions = 0;
  malformed = 0;
  failed = 0;
  attempts = 0;
  add(r: ChunkQuestions): void {
    this.chunks++;
    this.questions += r.questions.length;
    this.attempts += r.attempts;
    if (r.malformed) this.malformed++;
    if (r.error) this.failed++;
  }
  toJSON() {
    return { chunks: this.chunks, questions: this.questions, malformed: this.malformed, failed: this.failed, attempts: this.attempts };
  }
}
