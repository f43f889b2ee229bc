import { describe, expect, it } from "vitest";
import { db } from "../db";
import { AppError } from "../lib/app-error";
import { createUser } from "../testing/factories";
import { authorizeCredentials } from "./credentials";

// vitest.config sets SIGN_IN_MAX_FAILURES=3.
describe("credentials sign-in", () => {
  it("accepts the right password and refuses a wrong one", async () => {
    const user = await createUser("right password");
    expect(await authorizeCredentials({ email: user.email, password: "right password" }, "10.0.0.1")).toMatchObject({ id: user.id });
    expect(await authorizeCredentials({ email: user.email, password: "wrong password" }, "10.0.0.1")).toBeNull();
    expect(await authorizeCredentials({ email: "not an email", password: "x" }, null)).toBeNull();
  });

  it("stores a bcrypt hash, never the password", async () => {
    const user = await createUser("plain secret value");
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$2[aby]\$/);
    expect(row.passwordHash).not.toContain("plain secret value");
  });

  it("rate-limits an email after repeated failures, even with the right password", async () => {
    const user = await createUser("right password");
    for (let i = 0; i < 3; i++) {
      expect(await authorizeCredentials({ email: user.email, password: `wrong ${i}` }, `10.1.0.${i}`)).toBeNull();
    }
    const error = await authorizeCredentials({ email: user.email, password: "right password" }, "10.1.0.9").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("TOO_MANY_REQUESTS");
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
});
