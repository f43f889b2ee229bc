import { Auth } from "@auth/core";
import type { AuthConfig } from "@auth/core";
import { authConfig } from "./config";

/**
 * The signed-in user of a plain route handler's request, read from the request's own cookie
 * through Auth.js's session endpoint, i.e. the same check (jwt callback, revocation) as
 * next-auth's `auth()`. Unlike `auth()` it needs no Next.js request scope, so the route can be
 * driven by a real Request in tests.
 */
export async function requestUserId(request: Request): Promise<string | null> {
  const sessionUrl = new URL(`${authConfig.basePath}/session`, request.url);
  const response = await Auth(new Request(sessionUrl, { headers: { cookie: request.headers.get("cookie") ?? "" } }), authConfig as AuthConfig);
  if (!response.ok) return null;
  const session = (await response.json()) as { user?: { id?: string } } | null;
  return session?.user?.id ?? null;
}
