import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiStub, type OpenAiStub } from "../../testing/openai-stub";
import { BodyTooLargeError, guardedPost } from "./guarded-request";
import { checkLlmBaseUrl, isInternalAddress, parseAllowedHosts } from "./llm-address-policy";
import { createChatClient } from "./chat-client";

/** The address policy for workspace LLM URLs (issue #13, finding 3), and the client using it against a real server. */
describe("isInternalAddress", () => {
  it.each([
    "127.0.0.1", "127.255.0.9", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1",
    "100.127.255.254", "169.254.169.254", "169.254.0.1", "224.0.0.251", "255.255.255.255", "192.0.0.192",
    "::1", "::", "fe80::1", "fd00:ec2::254", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:169.254.169.254",
    "::ffff:10.0.0.1", "::127.0.0.1", "[::1]", "not-an-ip",
  ])("%s is internal", (address) => expect(isInternalAddress(address)).toBe(true));
  it.each(["8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "192.169.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("%s is not", (address) =>
    expect(isInternalAddress(address)).toBe(false));
});

describe("allow-list and URL check", () => {
  it("M3_LLM_ALLOWED_HOSTS entries are compared as the URL parser writes hosts", () => {
    expect(parseAllowedHosts(" LLM.Internal. , 10.0.0.5,::1, 127.1,, ")).toEqual(["llm.internal", "10.0.0.5", "[::1]", "127.0.0.1"]);
    expect(checkLlmBaseUrl("http://0x7f000001:8080/v1", parseAllowedHosts("127.0.0.1"))).toMatchObject({ ok: true });
    expect(checkLlmBaseUrl("http://[::1]:8080/v1", parseAllowedHosts("::1"))).toMatchObject({ ok: true });
    expect(checkLlmBaseUrl("http://[::ffff:127.0.0.1]:8080/v1", parseAllowedHosts("127.0.0.1"))).toMatchObject({ ok: false, reason: "internal" });
  });
  it.each([
    ["file:///etc/passwd", "scheme"], ["gopher://localhost:70/_x", "scheme"], ["javascript:alert(1)", "scheme"], ["data:text/plain,hi", "scheme"],
    ["not a url", "invalid"], ["https://k:secret@api.example.com/v1", "credentials"], ["http://169.254.169.254/", "internal"], ["http://017700000001/", "internal"],
  ])("%s → %s", (url, reason) => expect(checkLlmBaseUrl(url, [])).toMatchObject({ ok: false, reason }));
});

describe("chat client and guarded POST against a real local server", () => {
  let stub: OpenAiStub;
  beforeAll(async () => {
    stub = await startOpenAiStub();
  });
  afterAll(async () => stub.close());
  const port = () => new URL(stub.baseUrl).port;
  const ask = (baseUrl: string, allowedHosts: string[]) =>
    createChatClient({ baseUrl, model: "m", apiKey: "sk-test", allowedHosts, maxRetries: 0 }).complete([{ role: "user", content: "x" }]);

  it("a name resolving to loopback is refused at connect time unless allowed; nothing reaches the server", async () => {
    for (const baseUrl of [`http://localhost:${port()}/v1`, stub.baseUrl, `http://127.1:${port()}/v1`, `file:///etc/passwd`]) {
      await expect(ask(baseUrl, []), baseUrl).rejects.toMatchObject({ kind: "refused", attempts: 1 });
    }
    expect(stub.requests).toHaveLength(0);
    await expect(ask(`http://localhost:${port()}/v1`, ["localhost"])).resolves.toMatchObject({ attempts: 1 });
    expect(stub.requests).toHaveLength(1);
  });

  it("a reply over the byte limit is cut off", async () => {
    stub.enqueue({ kind: "ok", content: "x".repeat(10_000) });
    const url = new URL(`${stub.baseUrl}/chat/completions`);
    await expect(guardedPost(url, { headers: {}, body: "{}", allowedHosts: ["127.0.0.1"], maxBodyBytes: 1000 })).rejects.toBeInstanceOf(BodyTooLargeError);
  });
});
