import type { ChatMessage } from "./templates";

/**
 * Minimal OpenAI-compatible chat client: POST `${baseUrl}/chat/completions` with `{model, messages, temperature,
 * max_tokens}` and `Authorization: Bearer <apiKey>`; returns `choices[0].message.content`.
 *
 * Retries (up to `maxRetries` more attempts) on 429, 5xx, network errors, a per-attempt timeout, and a body that is
 * not the expected JSON (gateways return HTML error pages). Delay before retry n (0-based):
 * `min(maxDelayMs, baseDelayMs · 2ⁿ)` scaled by a jitter factor in [0.5, 1) ("equal jitter"); a 429 or 503 with
 * `Retry-After` (seconds or an HTTP date) waits exactly that long instead, unless it exceeds `maxRetryAfterMs`, in which
 * case the call fails at once (no point holding a job for an hour). Other 4xx fail at once (bad key, bad model).
 * An aborted `signal` stops everything immediately (also during a backoff sleep) with the signal's reason.
 * The API key is only ever sent in the Authorization header and never appears in errors.
 */
export interface ChatClientOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  /** injectable for tests */
  fetch?: typeof fetch;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ChatRequestOptions {
  signal?: AbortSignal;
  temperature?: number;
  maxTokens?: number;
}

export interface ChatResult {
  content: string;
  attempts: number;
  usage?: { promptTokens?: number; completionTokens?: number };
}

export type ChatErrorKind = "http" | "rate_limited" | "timeout" | "network" | "bad_response";

export class ChatError extends Error {
  constructor(
    readonly kind: ChatErrorKind,
    message: string,
    readonly status: number | null,
    readonly attempts: number,
  ) {
    super(message);
    this.name = "ChatError";
  }
}

export const CHAT_DEFAULTS = { timeoutMs: 60_000, maxRetries: 4, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Retry-After in ms (delta seconds or HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

export function backoffDelay(attempt: number, o: { baseDelayMs: number; maxDelayMs: number }, random: () => number): number {
  const d = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt);
  return Math.round(d * (0.5 + random() * 0.5));
}

export interface ChatClient {
  complete(messages: ChatMessage[], opts?: ChatRequestOptions): Promise<ChatResult>;
}

export function createChatClient(options: ChatClientOptions): ChatClient {
  const o = { ...CHAT_DEFAULTS, ...options };
  const doFetch = options.fetch ?? fetch;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const url = `${o.baseUrl.replace(/\/+$/, "")}/chat/completions`;

  async function attempt(body: string, signal: AbortSignal | undefined): Promise<{ ok: true; result: Omit<ChatResult, "attempts"> } | { ok: false; retry: boolean; retryAfterMs: number | null; kind: ChatErrorKind; status: number | null; message: string }> {
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, o.timeoutMs);
    const onAbort = () => ctrl.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
      const res = await doFetch(url, { method: "POST", headers, body, signal: ctrl.signal });
      const text = await res.text();
      if (res.status === 429 || res.status >= 500) {
        const kind = res.status === 429 ? "rate_limited" : "http";
        return { ok: false, retry: true, retryAfterMs: parseRetryAfter(res.headers.get("retry-after")), kind, status: res.status, message: `HTTP ${res.status}` };
      }
      if (!res.ok) return { ok: false, retry: false, retryAfterMs: null, kind: "http", status: res.status, message: `HTTP ${res.status}: ${text.slice(0, 300)}` };
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { ok: false, retry: true, retryAfterMs: null, kind: "bad_response", status: res.status, message: "response body is not JSON" };
      }
      const content = (json as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
      if (typeof content !== "string")
        return { ok: false, retry: true, retryAfterMs: null, kind: "bad_response", status: res.status, message: "response has no choices[0].message.content" };
      const u = (json as { usage?: { prompt_tokens?: number; completion_tokens?: number } }).usage;
      const result: Omit<ChatResult, "attempts"> = { content };
      if (u) result.usage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
      return { ok: true, result };
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) return { ok: false, retry: true, retryAfterMs: null, kind: "timeout", status: null, message: `no response within ${o.timeoutMs} ms` };
      return { ok: false, retry: true, retryAfterMs: null, kind: "network", status: null, message: `network error: ${(e as Error).message}` };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  return {
    async complete(messages, req = {}) {
      const payload: Record<string, unknown> = { model: o.model, messages };
      if (req.temperature !== undefined) payload.temperature = req.temperature;
      if (req.maxTokens !== undefined) payload.max_tokens = req.maxTokens;
      const body = JSON.stringify(payload);
      for (let n = 0; ; n++) {
        if (req.signal?.aborted) throw req.signal.reason;
        const r = await attempt(body, req.signal);
        if (r.ok) return { ...r.result, attempts: n + 1 };
        if (!r.retry || n >= o.maxRetries) throw new ChatError(r.kind, `${r.message} (after ${n + 1} attempt${n ? "s" : ""})`, r.status, n + 1);
        let delay = backoffDelay(n, o, random);
        if (r.retryAfterMs !== null) {
          if (r.retryAfterMs > o.maxRetryAfterMs)
            throw new ChatError(r.kind, `${r.message}: server asks to retry after ${Math.round(r.retryAfterMs / 1000)} s`, r.status, n + 1);
          delay = r.retryAfterMs;
        }
        await sleep(delay, req.signal);
      }
    },
  };
}
