import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { loadLlmCredentials } from "./llm-settings";

/**
 * Saving the workspace LLM settings through the real tRPC procedure (issue #13, findings 3 and 4): only http(s)
 * URLs without internal address literals are stored, and a new origin needs the key typed again. The test env
 * allows 127.0.0.1 (M3_LLM_ALLOWED_HOSTS in vitest.config.ts) and nothing else.
 */
let ownerId: string;
beforeAll(async () => {
  ownerId = (await createUser()).id;
});

async function newWorkspace() {
  return (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
}

/** The tRPC error a save is refused with: message and the form field it belongs to. */
async function refusal(input: { workspaceId: string; baseUrl: string; model?: string; apiKey?: string }) {
  const error = await callerFor(ownerId).synthesis.saveLlmSettings({ model: "m", ...input }).then(() => null, (e: unknown) => e);
  expect(error, `${input.baseUrl} should be refused`).toBeInstanceOf(TRPCError);
  const e = error as TRPCError & { cause?: { field?: string } };
  return { code: e.code, message: e.message, field: e.cause?.field ?? null };
}

describe("LLM base URL at save time", () => {
  it.each([
    ["file:///etc/passwd", "must start with http:// or https://"],
    ["gopher://127.0.0.1:6379/_FLUSHALL", "must start with http:// or https://"],
    ["ftp://llm.example.com/v1", "must start with http:// or https://"],
    ["http://169.254.169.254/latest/meta-data", "loopback, private, link-local or metadata"],
    ["http://[::1]:8080/v1", "loopback, private, link-local or metadata"],
    ["http://[::ffff:127.0.0.2]:8080/v1", "loopback, private, link-local or metadata"],
    ["http://[fd00:ec2::254]/latest", "loopback, private, link-local or metadata"],
    ["http://10.1.2.3/v1", "loopback, private, link-local or metadata"],
    ["http://0x0a000001/v1", "loopback, private, link-local or metadata"], // 10.0.0.1 spelt in hex
    ["http://0.0.0.0:3000/v1", "loopback, private, link-local or metadata"],
    ["https://user:sk-in-url@api.example.com/v1", "not in the URL"],
  ])("%s is refused on field baseUrl", async (baseUrl, says) => {
    const workspaceId = await newWorkspace();
    const r = await refusal({ workspaceId, baseUrl });
    expect(r).toMatchObject({ code: "BAD_REQUEST", field: "baseUrl" });
    expect(r.message).toContain(says);
    expect(await db.llmSettings.findUnique({ where: { workspaceId } })).toBeNull();
  });

  it("a public https URL and an allow-listed host (127.0.0.1 in tests) are stored; the next loopback address is not", async () => {
    const owner = callerFor(ownerId);
    const workspaceId = await newWorkspace();
    await expect(owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini" })).resolves.toMatchObject({ baseUrl: "https://api.openai.com/v1" });
    await expect(owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: "http://127.0.0.1:11434/v1", model: "m" })).resolves.toMatchObject({ baseUrl: "http://127.0.0.1:11434/v1" });
    expect(await refusal({ workspaceId, baseUrl: "http://127.0.0.2:11434/v1" })).toMatchObject({ field: "baseUrl" });
    expect((await owner.synthesis.llmSettings({ workspaceId }))?.baseUrl).toBe("http://127.0.0.1:11434/v1");
  });
});

describe("the stored key and a changed origin", () => {
  it("a new host, scheme or port without a key is refused on field apiKey, and the stored URL and key stay", async () => {
    const owner = callerFor(ownerId);
    const workspaceId = await newWorkspace();
    await owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: "https://api.openai.com/v1", model: "m", apiKey: "sk-old-key" });
    for (const baseUrl of ["https://collector.example.net/v1", "http://api.openai.com/v1", "https://api.openai.com:8443/v1"]) {
      const r = await refusal({ workspaceId, baseUrl });
      expect(r).toMatchObject({ code: "BAD_REQUEST", field: "apiKey" });
      expect(r.message).toContain("Enter the API key again for the new host");
    }
    expect(await loadLlmCredentials(workspaceId)).toMatchObject({ baseUrl: "https://api.openai.com/v1", apiKey: "sk-old-key", keyWithheld: false });
  });

  it("the same origin keeps the key; a new origin takes a new key or none; a key never follows a URL changed behind the form's back", async () => {
    const owner = callerFor(ownerId);
    const workspaceId = await newWorkspace();
    await owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: "https://api.openai.com/v1", model: "m", apiKey: "sk-old-key" });
    await owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: "https://api.openai.com/v2/", model: "m2" });
    expect(await loadLlmCredentials(workspaceId)).toMatchObject({ baseUrl: "https://api.openai.com/v2/", apiKey: "sk-old-key" });
    await owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: "https://llm.example.org/v1", model: "m", apiKey: "sk-new-key" });
    expect(await loadLlmCredentials(workspaceId)).toMatchObject({ baseUrl: "https://llm.example.org/v1", apiKey: "sk-new-key" });

    // The key is sealed with its origin: a direct row update (or any other route) does not take it along.
    await db.llmSettings.update({ where: { workspaceId }, data: { baseUrl: "https://collector.example.net/v1" } });
    expect(await loadLlmCredentials(workspaceId)).toMatchObject({ apiKey: null, keyWithheld: true });

    await owner.synthesis.saveLlmSettings({ workspaceId, baseUrl: "https://other.example.org/v1", model: "m", apiKey: "" });
    expect(await loadLlmCredentials(workspaceId)).toMatchObject({ baseUrl: "https://other.example.org/v1", apiKey: null, keyWithheld: false });
    expect((await owner.synthesis.llmSettings({ workspaceId }))?.hasKey).toBe(false);
  });
});
