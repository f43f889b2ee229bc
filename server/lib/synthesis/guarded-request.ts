import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isAllowedHost, isInternalAddress, LLM_URL_MESSAGES } from "./llm-address-policy";

/**
 * One HTTP(S) POST to a workspace-chosen URL, with the address policy enforced where it cannot be dodged: in the
 * socket's own DNS lookup. A pre-flight lookup would not do — a name can resolve to a public address for the check
 * and to 127.0.0.1 for the connection (DNS rebinding); here the address that is checked is the one connected to.
 * IP-literal hosts skip DNS, so they are checked before the request (checkLlmBaseUrl does it; done again here).
 *
 * Redirects are not followed (a 3xx comes back as a status), and the reply body is capped at `maxBodyBytes`.
 */
export class AddressRefusedError extends Error {
  constructor() {
    super(LLM_URL_MESSAGES.internal);
    this.name = "AddressRefusedError";
  }
}

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`reply body over ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

export interface GuardedResponse {
  status: number;
  header(name: string): string | null;
  text: string;
}

export interface GuardedPostOptions {
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
  /** Canonical host names (parseAllowedHosts) that may resolve to internal addresses. */
  allowedHosts: readonly string[];
  maxBodyBytes?: number;
}

/** A `lookup` for net.connect that fails when any address the name resolves to is internal. */
export function refusingInternalLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      // Refuse on any internal answer, not just the first: the socket may try them all (happy eyeballs).
      if (addresses.length === 0 || addresses.some((a) => isInternalAddress(a.address))) return callback(new AddressRefusedError(), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export function guardedPost(url: URL, options: GuardedPostOptions): Promise<GuardedResponse> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowed = isAllowedHost(url.hostname, options.allowedHosts);
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    if (url.protocol !== "http:" && url.protocol !== "https:") return reject(new Error(LLM_URL_MESSAGES.scheme));
    if (!allowed && isIP(literal) !== 0 && isInternalAddress(literal)) return reject(new AddressRefusedError());
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(
      url,
      {
        method: "POST",
        headers: { ...options.headers, "content-length": String(Buffer.byteLength(options.body)) },
        // A fresh connection per call: a pooled socket could have been opened under another policy decision.
        agent: false,
        ...(allowed ? {} : { lookup: refusingInternalLookup() }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) return response.destroy(new BodyTooLargeError(maxBodyBytes));
          chunks.push(chunk);
        });
        response.on("error", reject);
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            header: (name) => {
              const v = response.headers[name.toLowerCase()];
              return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
            },
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}
