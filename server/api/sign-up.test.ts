import { afterEach, describe, expect, it } from "vitest";
import { hashingStats } from "../auth/password";
import { db } from "../db";
import { env } from "../env";
import { unique } from "../testing/factories";
import { codeOf } from "../testing/trpc-codes";
import { createCaller } from "./root";
import { createContext } from "./trpc";

// auth.signUp through the tRPC router, as an anonymous caller whose proxy names its address.
const settings = { trustedProxy: env.M3_TRUSTED_PROXY, max: env.SIGN_UP_MAX_PER_WINDOW };
afterEach(() => {
  env.M3_TRUSTED_PROXY = settings.trustedProxy;
  env.SIGN_UP_MAX_PER_WINDOW = settings.max;
});

let nextAddress = 1;
/** A caller from its own address (behind a trusted proxy), so tests do not share a sign-up allowance. */
function anonymousFrom(address = `192.0.2.${nextAddress++}`) {
  env.M3_TRUSTED_PROXY = true;
  return createCaller(createContext({ session: null, headers: new Headers({ "x-forwarded-for": address }) }));
}

const newEmail = () => `${unique("sign-up")}@example.test`;

describe("auth.signUp", () => {
  it("creates the account and answers without telling anything about it", async () => {
    const email = newEmail();
    expect(await anonymousFrom().auth.signUp({ email, password: "long enough password", name: "Ann" })).toEqual({ ok: true });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.name).toBe("Ann");
    expect(user.passwordHash).toMatch(/^scrypt\$/);
  });

  it("a known email gets the same answer after the same hash, and the account is not changed (finding 10)", async () => {
    const email = newEmail();
    await anonymousFrom().auth.signUp({ email, password: "the owner's password", name: "Owner" });
    const owner = await db.user.findUniqueOrThrow({ where: { email } });

    const before = hashingStats.derivations;
    const fresh = await anonymousFrom().auth.signUp({ email: newEmail(), password: "long enough password" });
    const freshHashes = hashingStats.derivations - before;
    const again = await anonymousFrom().auth.signUp({ email, password: "an attacker's password", name: "Mallory" });
    const knownHashes = hashingStats.derivations - before - freshHashes;

    expect(again).toEqual(fresh);
    expect(knownHashes).toBe(freshHashes);
    expect(await db.user.findUniqueOrThrow({ where: { email } })).toEqual(owner);
  });

  it("refuses more than SIGN_UP_MAX_PER_WINDOW sign-ups from one address with a clear 429 (finding 7)", async () => {
    env.SIGN_UP_MAX_PER_WINDOW = 3;
    const caller = anonymousFrom("198.51.100.77");
    for (let i = 0; i < 3; i++) await caller.auth.signUp({ email: newEmail(), password: "long enough password" });
    const refusedEmail = newEmail();
    const refused = await caller.auth.signUp({ email: refusedEmail, password: "long enough password" }).catch((e: unknown) => e as Error & { code: string });
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/^Too many sign-ups from your network\. Try again in \d+ minutes\.$/) });
    expect(await db.user.count({ where: { email: refusedEmail } })).toBe(0);
    // Another address is not affected.
    expect(await codeOf(anonymousFrom("198.51.100.78").auth.signUp({ email: newEmail(), password: "long enough password" }))).toBe("OK");
  });
});
