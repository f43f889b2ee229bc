import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

describe("clientAddress with M3_TRUSTED_PROXY unset (the default)", () => {
  it("ignores X-Forwarded-For: every caller shares the one 'unknown' bucket, so a forged header buys no fresh budget", () => {
    const at = (xff: string) => clientAddress(new Request("http://127.0.0.1/", { headers: { "x-forwarded-for": xff } }));
    expect(at("198.51.100.1")).toBe("unknown");
    expect(at("198.51.100.2")).toBe("unknown");
    expect(clientAddress(new Request("http://127.0.0.1/"))).toBe("unknown");
  });
});
