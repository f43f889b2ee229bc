import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest, tooLarge } from "./errors";

/** Reads a JSON body, refusing more than `maxBytes` (Content-Length checked first, then counted while reading). */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  const over = () => tooLarge("payload_too_large", `request body exceeds the limit of ${maxBytes} bytes`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw over();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw over();
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw badRequest("invalid_json", "request body is empty; expected a JSON object");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest("invalid_json", `request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data), ...headers });
  res.end(data);
}

export function sendError(res: ServerResponse, err: ApiError, extra: Record<string, string> = {}): void {
  sendJson(res, err.status, err.toJSON(), { ...err.headers, ...extra });
}

/** The key of `Authorization: Bearer KEY`, or null when the header is absent or not a Bearer credential. */
export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/** Little-endian float32 bytes, base64 (what OpenAI returns for encoding_format=base64). */
export function float32Base64(v: Float32Array): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf.toString("base64");
}
