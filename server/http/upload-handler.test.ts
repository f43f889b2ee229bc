import { afterEach, describe, expect, it } from "vitest";
import { APP_ORIGIN, signInOverHttp } from "../auth/sign-in.fixture";
import { db } from "../db";
import { env } from "../env";
import { createUser, createWorkspaceWith } from "../testing/factories";
import { POST } from "~/app/api/uploads/route";

// POST /api/uploads through its route handler with real Requests and a real session cookie.
const quota = env.WORKSPACE_STORAGE_QUOTA_BYTES;
afterEach(() => {
  env.WORKSPACE_STORAGE_QUOTA_BYTES = quota;
});

/** A request body that records whether anyone started reading it. */
function watchedBody(text: string) {
  const watch = { read: false };
  // highWaterMark 0: pulled only when a reader asks, not to fill a queue up front.
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        watch.read = true;
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, watch };
}

function uploadRequest(workspaceId: string, body: BodyInit, headers: Record<string, string>) {
  const url = `${APP_ORIGIN}/api/uploads?workspaceId=${workspaceId}&fileName=pairs.jsonl`;
  return new Request(url, { method: "POST", headers, body, duplex: "half" } as RequestInit);
}

async function editorSession() {
  const editor = await createUser("editor password");
  const ws = await createWorkspaceWith([{ userId: editor.id, role: "OWNER" }]);
  const { cookie } = await signInOverHttp(editor.email, "editor password");
  return { ws, cookie: cookie! };
}

describe("POST /api/uploads", () => {
  it("refuses a cross-origin text/plain POST with 403 before reading its body (finding 10)", async () => {
    const { ws, cookie } = await editorSession();
    const refused: Record<string, string>[] = [{ origin: "https://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }];
    for (const headers of refused) {
      const { stream, watch } = watchedBody('{"query":"q","positive":"p"}\n');
      const response = await POST(uploadRequest(ws.id, stream, { ...headers, cookie, "content-type": "text/plain" }));
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await response.json()).toEqual({ error: "Cross-origin requests are not accepted here." });
      expect(watch.read, JSON.stringify(headers)).toBe(false);
    }
    expect(await db.upload.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  it("accepts the app's own origin, and clients that send no Origin (the CLI)", async () => {
    const { ws, cookie } = await editorSession();
    const sameOrigin = await POST(uploadRequest(ws.id, '{"query":"a","positive":"b"}\n', { cookie, origin: APP_ORIGIN, "sec-fetch-site": "same-origin" }));
    expect(sameOrigin.status).toBe(201);
    const cli = await POST(uploadRequest(ws.id, '{"query":"c","positive":"d"}\n', { cookie }));
    expect(cli.status).toBe(201);
  });

  it("answers 401 without a session and 403 for a non-member", async () => {
    const { ws } = await editorSession();
    expect((await POST(uploadRequest(ws.id, "x\n", { origin: APP_ORIGIN }))).status).toBe(401);
    const stranger = await editorSession();
    expect((await POST(uploadRequest(ws.id, "x\n", { origin: APP_ORIGIN, cookie: stranger.cookie }))).status).toBe(403);
  });

  it("refuses an upload over the workspace's storage quota with 413 and says why (finding 10)", async () => {
    env.WORKSPACE_STORAGE_QUOTA_BYTES = 100;
    const { ws, cookie } = await editorSession();
    const sixty = `${"x".repeat(59)}\n`;
    expect((await POST(uploadRequest(ws.id, sixty, { cookie, origin: APP_ORIGIN }))).status).toBe(201);

    const message = "This upload would exceed the workspace's storage quota of 100 bytes (60 bytes in use). An operator can raise it (WORKSPACE_STORAGE_QUOTA_BYTES).";
    // Declared length over the quota: refused before a byte is read.
    const declared = watchedBody(sixty);
    const early = await POST(uploadRequest(ws.id, declared.stream, { cookie, origin: APP_ORIGIN, "content-length": "60" }));
    expect(early.status).toBe(413);
    expect(await early.json()).toEqual({ error: message, field: "file" });
    expect(declared.watch.read).toBe(false);
    // No declared length: cut off while streaming, nothing recorded.
    const streamed = await POST(uploadRequest(ws.id, watchedBody(sixty).stream, { cookie, origin: APP_ORIGIN }));
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toEqual({ error: message, field: "file" });
    expect(await db.upload.count({ where: { workspaceId: ws.id } })).toBe(1);
    // What still fits is accepted.
    expect((await POST(uploadRequest(ws.id, "y".repeat(39) + "\n", { cookie, origin: APP_ORIGIN }))).status).toBe(201);
  });
});
