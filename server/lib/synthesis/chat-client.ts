import { AddressRefusedError, BodyTooLargeError, guardedPost } from "./guarded-request";
import { checkLlmBaseUrl } from "./llm-address-policy";
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
 *
 * The base URL is workspace input fetched from inside the operator's network, so every call goes through
 * guardedPost: http(s) only, internal addresses refused at connect time unless `allowedHosts` names the host
 * (kind "refused", never retried), redirects not followed. Error messages are fixed texts with the status: the
 * upstream body (which may echo the key, or be an internal service's answer) and the API key never appear in them.
 */
export interface ChatClientOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Canonical host names (parseAllowedHosts of M3_LLM_ALLOWED_HOSTS) that may resolve to internal addresses. */
  allowedHosts?: readonly string[];
  timeoutMs?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  /** injectable for tests */
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

/** "refused": the base URL is not http(s) or names an internal address (a setting to fix, not a hiccup to retry). */
export type ChatErrorKind = "http" | "rate_limited" | "timeout" | "network" | "bad_response" | "refused";

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

/** What a user may read about an upstream status: the number and a hint, never the body. */
export function httpStatusMessage(status: number): string {
  if (status === 401 || status === 403) return `LLM API answered HTTP ${status} (check the key and model)`;
  if (status === 404) return `LLM API answered HTTP ${status} (check the base URL and model)`;
  if (status >= 300 && status < 400) return `LLM API answered HTTP ${status}: redirects are not followed (use the final URL as the base URL)`;
  return `LLM API answered HTTP ${status}`;
}

/** A network failure as a fixed text: the error code only (the message can name internal hosts or echo TLS details). */
function networkMessage(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? `could not reach the LLM API (${code})` : "could not reach the LLM API";
}

type AttemptOutcome =
  | { ok: true; result: Omit<ChatResult, "attempts"> }
  | { ok: false; retry: boolean; retryAfterMs: number | null; kind: ChatErrorKind; status: number | null; message: string };

export function createChatClient(options: ChatClientOptions): ChatClient {
  const o = { ...CHAT_DEFAULTS, ...options };
  const allowedHosts = options.allowedHosts ?? [];
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  // Checked here as well as when the setting is saved: rows saved before the check existed, or written another way.
  const checked = checkLlmBaseUrl(o.baseUrl, allowedHosts);
  const target: { url: URL } | { refused: string } = checked.ok ? { url: new URL(`${checked.url.href.replace(/\/+$/, "")}/chat/completions`) } : { refused: checked.message };

  async function attempt(body: string, signal: AbortSignal | undefined): Promise<AttemptOutcome> {
    if ("refused" in target) return { ok: false, retry: false, retryAfterMs: null, kind: "refused", status: null, message: target.refused };
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
      const res = await guardedPost(target.url, { headers, body, signal: ctrl.signal, allowedHosts });
      if (res.status === 429 || res.status >= 500) {
        const kind = res.status === 429 ? "rate_limited" : "http";
        return { ok: false, retry: true, retryAfterMs: parseRetryAfter(res.header("retry-after")), kind, status: res.status, message: httpStatusMessage(res.status) };
      }
      if (res.status < 200 || res.status >= 300) return { ok: false, retry: false, retryAfterMs: null, kind: "http", status: res.status, message: httpStatusMessage(res.status) };
      let json: unknown;
      try {
        json = JSON.parse(res.text);
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
      if (e instanceof AddressRefusedError) return { ok: false, retry: false, retryAfterMs: null, kind: "refused", status: null, message: e.message };
      if (e instanceof BodyTooLargeError) return { ok: false, retry: false, retryAfterMs: null, kind: "bad_response", status: null, message: e.message };
      return { ok: false, retry: true, retryAfterMs: null, kind: "network", status: null, message: networkMessage(e) };
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
