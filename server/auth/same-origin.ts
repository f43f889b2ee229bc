import { env } from "../env";

/**
 * CSRF guard for plain (non-tRPC) POST routes that act on the session cookie. A browser names
 * the page that sent a request in Origin (on every POST) and Sec-Fetch-Site; a cross-site form
 * or a `text/plain` fetch needs no CORS preflight, so SameSite=Lax cookies were the only thing
 * stopping it. Refused: an Origin whose host is not this app's (Host, X-Forwarded-Host or
 * AUTH_URL), an opaque "null" Origin, or no Origin with Sec-Fetch-Site saying cross-site.
 * Requests without either header (curl, the CLI) carry no ambient browser cookie to abuse.
 */
export function isCrossOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) {
    const site = request.headers.get("sec-fetch-site");
    return site !== null && site !== "same-origin" && site !== "none";
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true; // "null" (sandboxed frames, file: pages) or garbage
  }
  return !appHosts(request).includes(originHost);
}

function appHosts(request: Request): string[] {
  const hosts = [new URL(request.url).host];
  const host = request.headers.get("host");
  if (host) hosts.push(host);
  const forwarded = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  if (forwarded) hosts.push(forwarded);
  if (env.AUTH_URL) hosts.push(new URL(env.AUTH_URL).host);
  return hosts.map((h) => h.toLowerCase());
}

/** The answer for a refused request; sent before the body is read. */
export function crossOriginRefusal(): Response {
  return Response.json({ error: "Cross-origin requests are not accepted here." }, { status: 403 });
}
