import { Auth, type AuthConfig } from "@auth/core";
import { authConfig } from "./config";

/**
 * Drives Auth.js's real HTTP endpoints (what /api/auth/[...nextauth] serves) with real Requests:
 * CSRF token, credentials callback, session, sign-out. Cookies are carried by hand.
 */
export const APP_ORIGIN = "http://127.0.0.1:3000";

function authRequest(path: string, init: RequestInit = {}): Promise<Response> {
  return Auth(new Request(`${APP_ORIGIN}/api/auth/${path}`, init), authConfig as AuthConfig);
}

/** "name=value" pairs of a response's Set-Cookie headers, skipping cleared cookies. */
function cookiesOf(response: Response): string[] {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .filter((pair) => !pair.endsWith("="));
}

async function csrf(): Promise<{ token: string; cookie: string }> {
  const response = await authRequest("csrf");
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { token: csrfToken, cookie: cookiesOf(response).join("; ") };
}

/** Signs in through the credentials callback; the session cookie, or null when refused. */
export async function signInOverHttp(email: string, password: string, headers: Record<string, string> = {}): Promise<{ cookie: string | null; error: string | null }> {
  const { token, cookie } = await csrf();
  const response = await authRequest("callback/credentials", {
    method: "POST",
    headers: { ...headers, cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken: token, email, password }),
  });
  const session = cookiesOf(response).find((c) => c.startsWith("authjs.session-token="));
  const location = response.headers.get("location") ?? "";
  const error = new URL(location, APP_ORIGIN).searchParams.get("code") ?? new URL(location, APP_ORIGIN).searchParams.get("error");
  return { cookie: session ?? null, error: session ? null : (error ?? `status ${response.status}`) };
}

/** The session endpoint's user id for a cookie (null: no session). */
export async function sessionUserOverHttp(sessionCookie: string): Promise<string | null> {
  const response = await authRequest("session", { headers: { cookie: sessionCookie } });
  const body = (await response.json()) as { user?: { id?: string } } | null;
  return body?.user?.id ?? null;
}

export async function signOutOverHttp(sessionCookie: string): Promise<void> {
  const { token, cookie } = await csrf();
  const response = await authRequest("signout", {
    method: "POST",
    headers: { cookie: `${cookie}; ${sessionCookie}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken: token }),
  });
  if (response.status >= 400) throw new Error(`sign-out answered ${response.status}`);
}
