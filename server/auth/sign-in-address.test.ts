import { Auth, type AuthConfig } from "@auth/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env";
import { startStampingServer, type StampingServer } from "../http/web-server.fixture";
import { createUser } from "../testing/factories";
import { authConfig } from "./config";
import { APP_ORIGIN } from "./sign-in.fixture";

// Sign-in lockout in the default configuration (no trusted proxy), through Auth.js's real endpoints behind the
// web server's address stamp, from distinct loopback addresses. vitest.config sets SIGN_IN_MAX_FAILURES=3.
let server: StampingServer;
beforeAll(async () => {
  env.M3_TRUSTED_PROXY = false;
  server = await startStampingServer((request) => Auth(request, authConfig as AuthConfig), { origin: APP_ORIGIN });
});
afterAll(() => server.close());

/** Signs in from `from`: the session cookie, or the error code Auth.js redirected with. */
async function signInFrom(from: string, email: string, password: string, headers: Record<string, string> = {}) {
  const csrf = await server.send(from, "/api/auth/csrf");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const answer = await server.send(from, "/api/auth/callback/credentials", {
    method: "POST",
    headers: { ...headers, cookie: csrf.cookies.join("; "), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, email, password }).toString(),
  });
  const session = answer.cookies.find((c) => c.startsWith("authjs.session-token="));
  const location = new URL(String(answer.headers.location ?? ""), APP_ORIGIN);
  return { signedIn: !!session, error: session ? null : (location.searchParams.get("code") ?? location.searchParams.get("error") ?? `status ${answer.status}`) };
}

describe("sign-in lockout per client address, without a trusted proxy (finding 8)", () => {
  it("a stranger's failures at one address do not lock the owner out at another", async () => {
    const owner = await createUser("owner's password");
    for (let i = 0; i < 3; i++) expect((await signInFrom("127.0.1.2", owner.email, `guess ${i}`)).error).toBe("credentials");
    // The stranger is locked out, even with the right password...
    expect(await signInFrom("127.0.1.2", owner.email, "owner's password")).toEqual({ signedIn: false, error: "rate_limited" });
    // ...and cannot pick a fresh bucket by naming another address.
    expect(await signInFrom("127.0.1.2", owner.email, "owner's password", { "x-forwarded-for": "127.0.1.1" })).toEqual({ signedIn: false, error: "rate_limited" });
    // The owner, at their own address, is not.
    expect(await signInFrom("127.0.1.1", owner.email, "owner's password")).toEqual({ signedIn: true, error: null });
  });

  it("an address spraying many accounts is slowed down; another address is not", async () => {
    for (let i = 0; i < 3; i++) await signInFrom("127.0.1.3", (await createUser()).email, "wrong");
    const user = await createUser("right password");
    expect(await signInFrom("127.0.1.3", user.email, "right password")).toEqual({ signedIn: false, error: "rate_limited" });
    expect(await signInFrom("127.0.1.4", user.email, "right password")).toEqual({ signedIn: true, error: null });
  });
});
