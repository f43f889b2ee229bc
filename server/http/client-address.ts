import { isIP } from "node:net";
import { env } from "../env";

/** The one bucket shared by every caller whose address cannot be trusted. */
export const UNKNOWN_CLIENT = "unknown";

/**
 * The client's address, as a key for per-address limits (failed API keys, sign-in lockout).
 * Next route handlers do not expose the socket address, so the only source is X-Forwarded-For, and any
 * client can write that header: it is believed only when the operator says a proxy in front sets it
 * (M3_TRUSTED_PROXY). Otherwise, or when the header is missing or not an IP address, every caller
 * shares one "unknown" bucket — a flood then limits itself without letting a forged header pick a fresh bucket.
 */
export function clientAddress(request: Pick<Request, "headers">): string {
  if (!env.M3_TRUSTED_PROXY) return UNKNOWN_CLIENT;
  // The first entry names the original client (M3_TRUSTED_PROXY's contract). The proxy must set the header
  // itself rather than append to the client's, or that first entry is still the client's own claim.
  const first = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "";
  return isIP(first) ? first.toLowerCase() : UNKNOWN_CLIENT;
}
