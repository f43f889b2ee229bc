import { afterEach, describe, expect, it } from "vitest";
import { env } from "../env";
import { handleUpload } from "../http/upload-handler";
import { callerFor, createUser, createWorkspaceWith } from "../testing/factories";
import { codeOf } from "../testing/trpc-codes";
import { requestUserId } from "./request-session";
import { APP_ORIGIN, sessionUserOverHttp, signInOverHttp, signOutOverHttp } from "./sign-in.fixture";

// Through Auth.js's own HTTP endpoints (credentials callback, session, sign-out) with real Requests.
// vitest.config sets SIGN_IN_MAX_FAILURES=3.
const trustedProxy = env.M3_TRUSTED_PROXY;
afterEach(() => {
  env.M3_TRUSTED_PROXY = trustedProxy;
});

function uploadAs(cookie: string, workspaceId: string) {
  const url = `${APP_ORIGIN}/api/uploads?workspaceId=${workspaceId}&fileName=pairs.jsonl`;
  return handleUpload(new Request(url, { method: "POST", headers: { cookie, origin: APP_ORIGIN }, body: '{"query":"q","positive":"p"}\n' }));
}

describe("sessions end on the server", () => {
  it("a session cookie stops working after sign-out (finding 10)", async () => {
    const user = await createUser("right password");
    const { cookie } = await signInOverHttp(user.email, "right password");
    expect(cookie).not.toBeNull();
    expect(await sessionUserOverHttp(cookie!)).toBe(user.id);
    expect(await requestUserId(new Request(`${APP_ORIGIN}/api/uploads`, { headers: { cookie: cookie! } }))).toBe(user.id);

    await signOutOverHttp(cookie!);
    // The JWT in the old cookie is still validly signed; the server refuses it anyway.
    expect(await sessionUserOverHttp(cookie!)).toBeNull();
    expect(await requestUserId(new Request(`${APP_ORIGIN}/api/uploads`, { headers: { cookie: cookie! } }))).toBeNull();
  });

  it("signing out in one browser leaves the user's other sessions alone", async () => {
    const user = await createUser("right password");
    const laptop = (await signInOverHttp(user.email, "right password")).cookie!;
    const phone = (await signInOverHttp(user.email, "right password")).cookie!;
    await signOutOverHttp(laptop);
    expect(await sessionUserOverHttp(laptop)).toBeNull();
    expect(await sessionUserOverHttp(phone)).toBe(user.id);
  });

  it("removal from a workspace ends the member's sessions and their access to it at once", async () => {
    const owner = await createUser();
    const member = await createUser("member password");
    const ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }, { userId: member.id, role: "EDITOR" }]);
    const before = (await signInOverHttp(member.email, "member password")).cookie!;
    expect((await uploadAs(before, ws.id)).status).toBe(201);

    await callerFor(owner.id).member.remove({ workspaceId: ws.id, userId: member.id });
    expect(await sessionUserOverHttp(before)).toBeNull();
    expect((await uploadAs(before, ws.id)).status).toBe(401);
    // Signed in again, the former member still cannot reach the workspace: membership is checked per request.
    const after = (await signInOverHttp(member.email, "member password")).cookie!;
    expect(await sessionUserOverHttp(after)).toBe(member.id);
    expect((await uploadAs(after, ws.id)).status).toBe(403);
    expect(await codeOf(callerFor(member.id).dataset.list({ workspaceId: ws.id }))).toBe("FORBIDDEN");
  });
});

describe("the client address behind sign-in lockout", () => {
  async function lockOut(email: string, forwardedFor: string) {
    for (let i = 0; i < 3; i++) await signInOverHttp(email, `wrong ${i}`, { "x-forwarded-for": forwardedFor });
  }

  async function spray(forwardedFor: string) {
    for (let i = 0; i < 3; i++) await signInOverHttp((await createUser()).email, "wrong", { "x-forwarded-for": forwardedFor });
  }

  it("X-Forwarded-For counts as the client address only when M3_TRUSTED_PROXY says so", async () => {
    env.M3_TRUSTED_PROXY = false;
    await spray("10.8.0.1");
    const untrusted = await createUser("right password");
    // Not a key: the header named no bucket, so nothing was filled for "10.8.0.1".
    expect((await signInOverHttp(untrusted.email, "right password", { "x-forwarded-for": "10.8.0.1" })).error).toBeNull();

    env.M3_TRUSTED_PROXY = true;
    await spray("10.9.0.1");
    const trusted = await createUser("right password");
    expect((await signInOverHttp(trusted.email, "right password", { "x-forwarded-for": "10.9.0.1" })).error).toBe("rate_limited");
    expect((await signInOverHttp(trusted.email, "right password", { "x-forwarded-for": "10.9.0.2" })).error).toBeNull();
  });

  it("a forged X-Forwarded-For does not pick a fresh bucket for a locked account", async () => {
    env.M3_TRUSTED_PROXY = false;
    const user = await createUser("right password");
    await lockOut(user.email, "10.6.0.1");
    const forged = await signInOverHttp(user.email, "right password", { "x-forwarded-for": "10.6.0.2" });
    expect(forged).toEqual({ cookie: null, error: "rate_limited" });
  });

  it("behind a trusted proxy, failures from one address do not lock out the owner at another (finding 8)", async () => {
    env.M3_TRUSTED_PROXY = true;
    const user = await createUser("right password");
    await lockOut(user.email, "10.7.0.1");
    expect(await signInOverHttp(user.email, "right password", { "x-forwarded-for": "10.7.0.1" })).toEqual({ cookie: null, error: "rate_limited" });
    const owner = await signInOverHttp(user.email, "right password", { "x-forwarded-for": "10.7.0.2, 10.0.0.9" });
    expect(owner.error).toBeNull();
    expect(await sessionUserOverHttp(owner.cookie!)).toBe(user.id);
  });
});
