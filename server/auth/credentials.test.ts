import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { db } from "../db";
import { UNKNOWN_CLIENT } from "../http/client-address";
import { AppError } from "../lib/app-error";
import { createUser, unique } from "../testing/factories";
import { authorizeCredentials } from "./credentials";
import { hashingStats } from "./password";

// vitest.config sets SIGN_IN_MAX_FAILURES=3.
const codeOf = (promise: Promise<unknown>) => promise.then(() => "signed in or refused", (e: unknown) => (e instanceof AppError ? e.code : String(e)));

/** Key derivations one call costs (the counter the hashing module keeps). */
async function derivationsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = hashingStats.derivations;
  await work();
  return hashingStats.derivations - before;
}

describe("credentials sign-in", () => {
  it("accepts the right password and refuses a wrong one", async () => {
    const user = await createUser("right password");
    expect(await authorizeCredentials({ email: user.email, password: "right password" }, "10.0.0.1")).toMatchObject({ id: user.id });
    expect(await authorizeCredentials({ email: user.email, password: "wrong password" }, "10.0.0.1")).toBeNull();
    expect(await authorizeCredentials({ email: "not an email", password: "x" }, UNKNOWN_CLIENT)).toBeNull();
  });

  it("locks an account out from the address that failed, even with the right password", async () => {
    const user = await createUser("right password");
    for (let i = 0; i < 3; i++) {
      expect(await authorizeCredentials({ email: user.email, password: `wrong ${i}` }, "10.1.0.1")).toBeNull();
    }
    expect(await codeOf(authorizeCredentials({ email: user.email, password: "right password" }, "10.1.0.1"))).toBe("TOO_MANY_REQUESTS");
  });

  it("a stranger's failures from another address do not lock the owner out (finding 8)", async () => {
    const owner = await createUser("owner's password");
    for (let i = 0; i < 5; i++) {
      await codeOf(authorizeCredentials({ email: owner.email, password: `guess ${i}` }, "203.0.113.7"));
    }
    expect(await authorizeCredentials({ email: owner.email, password: "owner's password" }, "198.51.100.20")).toMatchObject({ id: owner.id });
  });

  it("rate-limits a client address spraying many accounts", async () => {
    const address = "10.2.0.1";
    for (let i = 0; i < 3; i++) {
      const user = await createUser();
      await authorizeCredentials({ email: user.email, password: "nope" }, address);
    }
    const user = await createUser("fine password");
    await expect(authorizeCredentials({ email: user.email, password: "fine password" }, address)).rejects.toThrow(/Too many/);
  });

  it("does not let failures in the shared unknown-address bucket lock out everybody", async () => {
    for (let i = 0; i < 4; i++) {
      const user = await createUser();
      await codeOf(authorizeCredentials({ email: user.email, password: "nope" }, UNKNOWN_CLIENT));
    }
    const user = await createUser("fine password");
    expect(await authorizeCredentials({ email: user.email, password: "fine password" }, UNKNOWN_CLIENT)).toMatchObject({ id: user.id });
  });

  it("an unknown email costs the same password hash as a known one (finding 10)", async () => {
    const user = await createUser("right password");
    await authorizeCredentials({ email: `${unique("warm-up")}@example.test`, password: "x" }, "10.3.0.1"); // builds the dummy hash once
    const known = await derivationsDuring(() => authorizeCredentials({ email: user.email, password: "wrong password" }, "10.3.0.2"));
    const unknown = await derivationsDuring(() => authorizeCredentials({ email: `${unique("nobody")}@example.test`, password: "wrong password" }, "10.3.0.3"));
    expect(known).toBe(1);
    expect(unknown).toBe(known);
  });

  it("replaces a legacy bcrypt hash with scrypt on a successful sign-in", async () => {
    const email = `${unique("legacy")}@example.test`;
    const legacy = await bcrypt.hash("old password", 4);
    const user = await db.user.create({ data: { email, passwordHash: legacy } });
    expect(await authorizeCredentials({ email, password: "wrong password" }, "10.4.0.1")).toBeNull();
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(legacy);
    expect(await authorizeCredentials({ email, password: "old password" }, "10.4.0.1")).toMatchObject({ id: user.id });
    const upgraded = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash;
    expect(upgraded).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(await authorizeCredentials({ email, password: "old password" }, "10.4.0.1")).toMatchObject({ id: user.id });
  });
});
