import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env";
import { clientAddress } from "./client-address";
import { startStampingServer, type StampingServer } from "./web-server.fixture";

// withClientAddress on a real HTTP server: each answer is what clientAddress() says for the Request
// a route handler would get from the stamped headers.
const trustedProxy = env.M3_TRUSTED_PROXY;
afterEach(() => {
  env.M3_TRUSTED_PROXY = trustedProxy;
});

const FORGED = {
  "x-forwarded-for": "198.51.100.1",
  "x-m3-client-address": "0123456789abcdef0123456789abcdef.198.51.100.2",
};

async function addressSeen(server: StampingServer, from: string, headers: Record<string, string> = {}): Promise<string> {
  return (await server.send(from, "/", { headers })).body;
}

describe("the web server stamps the client address before the app sees the request", () => {
  let server: StampingServer;
  beforeAll(async () => {
    server = await startStampingServer(async (request) => new Response(clientAddress(request)));
  });
  afterAll(() => server.close());

  it("without M3_TRUSTED_PROXY: the socket address, whatever the client claims in X-Forwarded-For or the stamp header", async () => {
    env.M3_TRUSTED_PROXY = false;
    expect(await addressSeen(server, "127.0.0.1", FORGED)).toBe("127.0.0.1");
    expect(await addressSeen(server, "127.0.0.1")).toBe("127.0.0.1");
    // Two callers on two addresses get two buckets.
    expect(await addressSeen(server, "127.0.0.2", FORGED)).toBe("127.0.0.2");
  });

  it("with M3_TRUSTED_PROXY: the last X-Forwarded-For entry (what the proxy saw), else the socket address", async () => {
    env.M3_TRUSTED_PROXY = true;
    // The first entry is the client's own claim; the proxy appended the address it saw.
    expect(await addressSeen(server, "127.0.0.1", { "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).toBe("203.0.113.9");
    expect(await addressSeen(server, "127.0.0.1", { "x-forwarded-for": "2001:DB8::1" })).toBe("2001:db8::1");
    expect(await addressSeen(server, "127.0.0.1", { "x-forwarded-for": "::ffff:203.0.113.10" })).toBe("203.0.113.10");
    expect(await addressSeen(server, "127.0.0.1", { "x-m3-client-address": FORGED["x-m3-client-address"] })).toBe("127.0.0.1");
    expect(await addressSeen(server, "127.0.0.3", { "x-forwarded-for": "198.51.100.1, not-an-address" })).toBe("127.0.0.3");
  });
});

describe("on a dual-stack listener", () => {
  it("an IPv4 client is named by its IPv4 address, not the IPv4-mapped IPv6 form", async () => {
    env.M3_TRUSTED_PROXY = false;
    const server = await startStampingServer(async (request) => new Response(clientAddress(request)), { host: "::" });
    try {
      expect(await addressSeen(server, "127.0.0.2")).toBe("127.0.0.2");
    } finally {
      await server.close();
    }
  });
});
