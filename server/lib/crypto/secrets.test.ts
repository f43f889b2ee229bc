import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "./secrets";

describe("secrets at rest", () => {
  it("round-trips, never contains the plain text, and differs per encryption", () => {
    const a = encryptSecret("sk-live-123", "k".repeat(32));
    const b = encryptSecret("sk-live-123", "k".repeat(32));
    expect(a).not.toContain("sk-live");
    expect(a).not.toBe(b);
    expect(decryptSecret(a, "k".repeat(32))).toBe("sk-live-123");
  });

  it("refuses a wrong key or a tampered ciphertext", () => {
    const sealed = encryptSecret("sk-live-123", "k".repeat(32));
    expect(() => decryptSecret(sealed, "x".repeat(32))).toThrow();
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => decryptSecret(parts.join("."), "k".repeat(32))).toThrow();
  });
});
