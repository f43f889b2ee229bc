/**
 * Request bodies for the deployment proxy, read only after the caller is authenticated and never past a limit:
 * the bytes are counted as they arrive and reading stops at the first chunk beyond the limit, so memory held per
 * request is bounded by the limit plus one chunk, whatever the client declares or sends.
 */

/** Stops the request's body stream so nothing more of it is read or buffered (the connection discards the rest). */
export function discardBody(request: Request): void {
  if (request.body && !request.bodyUsed) request.body.cancel().catch(() => undefined);
}

/** The declared Content-Length, when the client sent a valid one. */
export function declaredLength(request: Request): number | null {
  const raw = request.headers.get("content-length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw);
}

/** The whole body (at most `maxBytes`), or "too_large" as soon as more than `maxBytes` arrived. */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | "too_large"> {
  const declared = declaredLength(request);
  if (declared !== null && declared > maxBytes) {
    discardBody(request);
    return "too_large";
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return "too_large";
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
