import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, SCRYPT_PARAMS, verifyPassword } from "./password";

describe("password hashing", () => {
  it("hashing 40 passwords at once leaves the event loop turning (finding 7)", async () => {
    // Counts event-loop turns while the hashes run, not time: hashing on the loop itself
    // (bcryptjs) lets it turn only between chunks of every hash, a handful of times in all;
    // hashing on the thread pool leaves it free to turn continuously.
    let turns = 0;
    let hashing = true;
    const turn = () => {
      if (!hashing) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const hashes = await Promise.all(Array.from({ length: 40 }, (_, i) => hashPassword(`sign-up password ${i}`)));
    hashing = false;
    expect(new Set(hashes).size).toBe(40);
    expect(turns).toBeGreaterThanOrEqual(hashes.length);
  });

  it("stores scrypt$N$r$p$salt$hash with the configured parameters, never the password", async () => {
    const hash = await hashPassword("plain secret value");
    const [scheme, N, r, p, salt, key] = hash.split("$");
    expect({ scheme, N: Number(N), r: Number(r), p: Number(p) }).toEqual({ scheme: "scrypt", ...SCRYPT_PARAMS });
    expect(Buffer.from(salt!, "base64url")).toHaveLength(16);
    expect(Buffer.from(key!, "base64url")).toHaveLength(32);
    expect(hash).not.toContain("plain secret value");
    expect(await verifyPassword("plain secret value", hash)).toBe(true);
    expect(await verifyPassword("plain secret valuE", hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it("still verifies a legacy bcrypt hash, and marks it for an upgrade", async () => {
    const legacy = await bcrypt.hash("old password", 4);
    expect(await verifyPassword("old password", legacy)).toBe(true);
    expect(await verifyPassword("other password", legacy)).toBe(false);
    expect(needsRehash(legacy)).toBe(true);
  });

  it("refuses malformed or tampered hashes instead of throwing or allocating", async () => {
    const hash = await hashPassword("pw");
    const parts = hash.split("$");
    for (const bad of ["", "plain", "scrypt$1$8$1$x$y", [parts[0], 2 ** 30, ...parts.slice(2)].join("$")]) {
      expect(await verifyPassword("pw", bad)).toBe(false);
    }
  });
});
