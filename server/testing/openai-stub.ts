import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A real local HTTP server speaking the OpenAI chat completions API, for tests (127.0.0.1 or `host`, random port).
 * Scriptable: `enqueue(...)` queues one behaviour per request, in order; when the queue is empty `fallback` answers
 * (default: a JSON array of three questions). Every request is recorded (headers + parsed body).
 *
 *   { kind: "ok", content }                        200 with a chat.completion whose message content is `content`
 *   { kind: "status", status, retryAfter?, body?, headers? } that status (429 with Retry-After, 500, 401, a 307 with Location…)
 *   { kind: "hang" }                               never answers (client timeout); released on close()
 *   { kind: "malformed-json" }                     200 with a truncated JSON body
 *   { kind: "html" }                               502-style HTML page with status 200 (gateway noise)
 *   { kind: "no-choices" }                         200 with valid JSON lacking choices
 * "Non-JSON content" is just `{ kind: "ok", content: "Sure! Here are some questions…" }`.
 */
export type StubBehaviour =
  | { kind: "ok"; content: string }
  | { kind: "status"; status: number; retryAfter?: string; body?: string; headers?: Record<string, string> }
  | { kind: "hang" }
  | { kind: "malformed-json" }
  | { kind: "html" }
  | { kind: "no-choices" };

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
  at: number;
}

export interface OpenAiStub {
  baseUrl: string;
  requests: StubRequest[];
  enqueue(...b: StubBehaviour[]): void;
  fallback: (req: StubRequest) => StubBehaviour;
  close(): Promise<void>;
}

/** `host`: the address to listen on, e.g. "::1" for an IPv6 loopback endpoint (default 127.0.0.1). */
export async function startOpenAiStub({ host = "127.0.0.1" }: { host?: string } = {}): Promise<OpenAiStub> {
  const queue: StubBehaviour[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const stub: OpenAiStub = {
    baseUrl: "",
    requests: [],
    enqueue: (...b) => queue.push(...b),
    fallback: () => ({ kind: "ok", content: '["What is A?","What is B?","What is C?"]' }),
    close: async () => {
      for (const r of hanging) r.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = Buffer.concat(chunks).toString("utf8");
      }
      const record: StubRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, at: Date.now() };
      stub.requests.push(record);
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
        return;
      }
      respond(res, queue.shift() ?? stub.fallback(record), (body as { model?: string } | null)?.model ?? "stub");
    });
  });
  const respond = (res: ServerResponse, b: StubBehaviour, model: string) => {
    switch (b.kind) {
      case "ok":
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: "chatcmpl-stub",
            object: "chat.completion",
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [{ index: 0, message: { role: "assistant", content: b.content }, finish_reason: "stop" }],
            usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
          }),
        );
        return;
      case "status": {
        const headers: Record<string, string> = { "content-type": "application/json", ...b.headers };
        if (b.retryAfter !== undefined) headers["retry-after"] = b.retryAfter;
        res.writeHead(b.status, headers).end(b.body ?? JSON.stringify({ error: { message: `stub status ${b.status}` } }));
        return;
      }
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "malformed-json":
        res.writeHead(200, { "content-type": "application/json" }).end('{"choices":[{"message":{"content":"[\\"Wh');
        return;
      case "html":
        res.writeHead(200, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>");
        return;
      case "no-choices":
        res.writeHead(200, { "content-type": "application/json" }).end('{"object":"chat.completion","choices":[]}');
        return;
    }
  };
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((res) => server.listen(0, host, () => res()));
  stub.baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${(server.address() as AddressInfo).port}/v1`;
  return stub;
}
