import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { env } from "../env";
import { startStampingServer, type StampingServer } from "../http/web-server.fixture";
import { unique } from "../testing/factories";
import { appRouter } from "./root";
import { createContext } from "./trpc";

// auth.signUp over real HTTP (tRPC's fetch adapter, as app/api/trpc serves it) behind the web server's
// address stamp, in the default configuration (no trusted proxy), from distinct loopback addresses.
const settings = { trustedProxy: env.M3_TRUSTED_PROXY, max: env.SIGN_UP_MAX_PER_WINDOW };
let server: StampingServer;
beforeAll(async () => {
  env.M3_TRUSTED_PROXY = false;
  env.SIGN_UP_MAX_PER_WINDOW = 2;
  server = await startStampingServer((req) =>
    fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createContext({ session: null, headers: req.headers }) }),
  );
});
afterAll(async () => {
  env.M3_TRUSTED_PROXY = settings.trustedProxy;
  env.SIGN_UP_MAX_PER_WINDOW = settings.max;
  await server.close();
});

/** Signs up from `from`: the HTTP status and the new email. */
async function signUpFrom(from: string, headers: Record<string, string> = {}) {
  const email = `${unique("sign-up")}@example.test`;
  const answer = await server.send(from, "/api/trpc/auth.signUp", {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ json: { email, password: "long enough password" } }),
  });
  return { status: answer.status, email };
}

describe("the sign-up limit is per client address, without a trusted proxy (finding 7 follow-up)", () => {
  it("one address at its limit leaves another address free", async () => {
    for (let i = 0; i < 2; i++) expect((await signUpFrom("127.0.2.1")).status).toBe(200);
    const refused = await signUpFrom("127.0.2.1", { "x-forwarded-for": "127.0.2.9" });
    expect(refused.status).toBe(429);
    expect(await db.user.count({ where: { email: refused.email } })).toBe(0);

    const other = await signUpFrom("127.0.2.2");
    expect(other.status).toBe(200);
    expect(await db.user.count({ where: { email: other.email } })).toBe(1);
  });
});
