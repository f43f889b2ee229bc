import { BlockList, isIP, isIPv6 } from "node:net";

/**
 * Which addresses a workspace's LLM base URL may reach. The URL is typed by a workspace owner but fetched by the
 * worker, inside the operator's network: without this policy it is a way to POST to the worker host's loopback
 * services, the cloud metadata endpoint (169.254.169.254) or the private network (issue #13, finding 3).
 *
 * Internal ranges are refused unless the operator's allow-list (M3_LLM_ALLOWED_HOSTS) names the host as written in
 * the URL — e.g. a self-hosted model server on 10.0.0.5 or a name that resolves to it.
 */
const INTERNAL_RANGES: Array<[address: string, prefix: number, family: "ipv4" | "ipv6"]> = [
  ["0.0.0.0", 8, "ipv4"], // "this network", incl. the unspecified 0.0.0.0 (Linux connects it to loopback)
  ["10.0.0.0", 8, "ipv4"], // private
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["127.0.0.0", 8, "ipv4"], // loopback
  ["169.254.0.0", 16, "ipv4"], // link-local, incl. cloud metadata 169.254.169.254
  ["172.16.0.0", 12, "ipv4"], // private
  ["192.0.0.0", 24, "ipv4"], // IETF protocol assignments (e.g. 192.0.0.192 Oracle metadata)
  ["192.168.0.0", 16, "ipv4"], // private
  ["198.18.0.0", 15, "ipv4"], // benchmarking
  ["224.0.0.0", 4, "ipv4"], // multicast
  ["240.0.0.0", 4, "ipv4"], // reserved, incl. broadcast 255.255.255.255
  ["::", 96, "ipv6"], // unspecified, loopback ::1 and the deprecated IPv4-compatible ::a.b.c.d
  ["fe80::", 10, "ipv6"], // link-local
  ["fec0::", 10, "ipv6"], // deprecated site-local
  ["fc00::", 7, "ipv6"], // unique local, incl. AWS metadata fd00:ec2::254
  ["ff00::", 8, "ipv6"], // multicast
];

const internal = new BlockList();
for (const [address, prefix, family] of INTERNAL_RANGES) internal.addSubnet(address, prefix, family);

/**
 * True for an address the worker must not connect to on a workspace's behalf. IPv4-mapped IPv6 addresses
 * (::ffff:127.0.0.1) are matched by the IPv4 ranges: BlockList maps them. Not an IP at all → true (refuse).
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family === 0) return true;
  return internal.check(bare, family === 6 ? "ipv6" : "ipv4");
}

/** A hostname as the WHATWG URL parser writes it (lower case, IPv4 canonical, IPv6 in brackets), no trailing dot. */
function canonicalHost(host: string): string | null {
  const trimmed = host.trim();
  if (!trimmed) return null;
  try {
    return new URL(`http://${isIPv6(trimmed) ? `[${trimmed}]` : trimmed}/`).hostname.replace(/\.$/, "");
  } catch {
    return null;
  }
}

/** M3_LLM_ALLOWED_HOSTS ("llm.internal, 10.0.0.5, ::1") → canonical host names; malformed entries are dropped. */
export function parseAllowedHosts(list: string): string[] {
  return list.split(",").map(canonicalHost).filter((h): h is string => h !== null);
}

export function isAllowedHost(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = canonicalHost(hostname.replace(/^\[|\]$/g, ""));
  return host !== null && allowedHosts.includes(host);
}

export const LLM_URL_MESSAGES = {
  scheme: "The LLM base URL must start with http:// or https://",
  invalid: "Enter the API's base URL, e.g. https://api.openai.com/v1",
  credentials: "Put the API key in the API key field, not in the URL",
  internal:
    "The LLM base URL points to a loopback, private, link-local or metadata address; an operator can allow the host with M3_LLM_ALLOWED_HOSTS",
} as const;

export type LlmUrlCheck = { ok: true; url: URL } | { ok: false; reason: keyof typeof LLM_URL_MESSAGES; message: string };

/**
 * What can be decided from the URL alone, at save time and again before every call: http(s) only, no user:password,
 * and an IP-literal host outside the internal ranges (IP literals never reach a DNS lookup, so the connect-time
 * check in guarded-request.ts cannot see them). Names are checked when they are resolved, at connect time.
 */
export function checkLlmBaseUrl(raw: string, allowedHosts: readonly string[]): LlmUrlCheck {
  const fail = (reason: keyof typeof LLM_URL_MESSAGES): LlmUrlCheck => ({ ok: false, reason, message: LLM_URL_MESSAGES[reason] });
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return fail("invalid");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return fail("scheme");
  if (url.username || url.password) return fail("credentials");
  if (!url.hostname) return fail("invalid");
  const bare = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(bare) && isInternalAddress(bare) && !isAllowedHost(url.hostname, allowedHosts)) return fail("internal");
  return { ok: true, url };
}
