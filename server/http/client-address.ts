import { randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { env } from "../env";

/** The one bucket shared by every caller whose address cannot be trusted. */
export const UNKNOWN_CLIENT = "unknown";

/** Request header in which the web server (server/http/web-server.ts) hands the client address to the app. */
export const CLIENT_ADDRESS_HEADER = "x-m3-client-address";

// The web server and the compiled route handlers run in one process but load separate instances of this
// module, so the token lives on globalThis. It exists only where the web server created it: under plain
// `next start` no stamp is believed.
const TOKEN_KEY = Symbol.for("m3-studio.client-address-token");
type TokenHolder = { [TOKEN_KEY]?: string };

/** This process's secret stamp token, created on first use (by the web server). */
export function clientAddressToken(): string {
  const holder = globalThis as TokenHolder;
  return (holder[TOKEN_KEY] ??= randomBytes(24).toString("base64url"));
}

/** A valid IP address in canonical form (lower case; IPv4-mapped IPv6 as plain IPv4), or null. */
export function normaliseAddress(raw: string | undefined | null): string | null {
  const address = raw?.trim().toLowerCase() ?? "";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  return isIP(address) ? address : null;
}

/** The last X-Forwarded-For entry: the address the trusted proxy itself saw and appended. */
export function lastForwardedFor(header: string | null | undefined): string | null {
  return normaliseAddress(header?.split(",").at(-1));
}

/** The address in a "<token>.<address>" stamp, when the token is this process's. */
function stampedAddress(stamp: string | null): string | null {
  const token = (globalThis as TokenHolder)[TOKEN_KEY];
  if (!token || !stamp) return null;
  const dot = stamp.indexOf(".");
  const claimed = Buffer.from(stamp.slice(0, Math.max(dot, 0)));
  const expected = Buffer.from(token);
  if (claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) return null;
  return normaliseAddress(stamp.slice(dot + 1));
}

/**
 * The client's address, as a key for per-address limits (failed API keys, sign-in lockout, sign-up limit).
 * Next route handlers do not expose the socket address, so the web server (scripts/web-server.ts) writes it
 * into the x-m3-client-address header before Next sees the request, overwriting what the client sent:
 * the socket address, or behind M3_TRUSTED_PROXY the last X-Forwarded-For entry. The header is believed only
 * with this process's token, so a client cannot forge it even under plain `next start`. Without a stamp:
 * the last X-Forwarded-For entry when M3_TRUSTED_PROXY (Next appends nothing; the proxy's own entry is last),
 * else one shared "unknown" bucket — a flood then limits itself without a forged header picking a fresh one.
 */
export function clientAddress(request: Pick<Request, "headers">): string {
  const stamped = stampedAddress(request.headers.get(CLIENT_ADDRESS_HEADER));
  if (stamped) return stamped;
  if (!env.M3_TRUSTED_PROXY) return UNKNOWN_CLIENT;
  return lastForwardedFor(request.headers.get("x-forwarded-for")) ?? UNKNOWN_CLIENT;
}
