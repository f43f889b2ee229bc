import { describe, expect, it } from "vitest";
import { clientAddress, clientAddressToken } from "./client-address";

describe("clientAddress with M3_TRUSTED_PROXY unset (the default)", () => {
  it("ignores X-Forwarded-For: every caller shares the one 'unknown' bucket, so a forged header buys no fresh budget", () => {
    const at = (xff: string) => clientAddress(new Request("http://127.0.0.1/", { headers: { "x-forwarded-for": xff } }));
    expect(at("198.51.100.1")).toBe("unknown");
    expect(at("198.51.100.2")).toBe("unknown");
    expect(clientAddress(new Request("http://127.0.0.1/"))).toBe("unknown");
  });
});

describe("clientAddress and the web server's stamp", () => {
  const stamped = (stamp: string) => clientAddress(new Request("http://127.0.0.1/", { headers: { "x-m3-client-address": stamp } }));

  it("believes the stamp only with this process's token (a client cannot forge it, even under plain `next start`)", () => {
    expect(stamped(`${clientAddressToken()}.198.51.100.5`)).toBe("198.51.100.5");
    expect(stamped(`${clientAddressToken()}.::ffff:198.51.100.6`)).toBe("198.51.100.6");
    expect(stamped("guessed-token.198.51.100.7")).toBe("unknown");
    expect(stamped("198.51.100.8")).toBe("unknown");
    expect(stamped(`${clientAddressToken()}.not-an-address`)).toBe("unknown");
  });
});
