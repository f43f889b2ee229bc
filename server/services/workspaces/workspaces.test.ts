import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { createWorkspace } from "./workspaces";

async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("invites", () => {
  it("an invite link adds the user with the invited role, once", async () => {
    const owner = await createUser();
    const guest = await createUser();
    const other = await createUser();
    const ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }]);
    const invite = await callerFor(owner.id).invite.create({ workspaceId: ws.id, role: "VIEWER" });

    expect(await callerFor(guest.id).invite.preview({ token: invite.token })).toMatchObject({ role: "VIEWER", workspaceName: ws.name });
    expect(await callerFor(guest.id).invite.accept({ token: invite.token })).toEqual({ slug: ws.slug, role: "VIEWER" });
    const members = await callerFor(guest.id).member.list({ workspaceId: ws.id });
    expect(members.find((m) => m.userId === guest.id)?.role).toBe("VIEWER");

    const reused = await errorOf(callerFor(other.id).invite.accept({ token: invite.token }));
    expect(reused.code).toBe("CONFLICT");
    expect(reused.message).toBe("This invite link has already been used.");
    expect(await db.membership.count({ where: { workspaceId: ws.id, userId: other.id } })).toBe(0);
  });

  it("an expired invite is refused with a clear message", async () => {
    const owner = await createUser();
    const guest = await createUser();
    const ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }]);
    const invite = await callerFor(owner.id).invite.create({ workspaceId: ws.id, role: "EDITOR" });
    await db.invite.update({ where: { id: invite.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const error = await errorOf(callerFor(guest.id).invite.accept({ token: invite.token }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toBe("This invite link has expired. Ask for a new one.");
  });

  it("a revoked or unknown invite is refused", async () => {
    const owner = await createUser();
    const guest = await createUser();
    const ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }]);
    const invite = await callerFor(owner.id).invite.create({ workspaceId: ws.id, role: "EDITOR" });
    await callerFor(owner.id).invite.revoke({ workspaceId: ws.id, inviteId: invite.id });
    expect((await errorOf(callerFor(guest.id).invite.accept({ token: invite.token }))).message).toMatch(/revoked/);
    expect((await errorOf(callerFor(guest.id).invite.accept({ token: "x".repeat(32) }))).code).toBe("NOT_FOUND");
  });

  it("stores only a hash of the token", async () => {
    const owner = await createUser();
    const ws = await createWorkspaceWith([{ userId: owner.id, role: "OWNER" }]);
    const invite = await callerFor(owner.id).invite.create({ workspaceId: ws.id, role: "VIEWER" });
    const row = await db.invite.findUniqueOrThrow({ where: { id: invite.id } });
    expect(row.tokenHash).not.toContain(invite.token);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("members and audit", () => {
  it("role changes, removal and leaving are audited; the last owner cannot leave", async () => {
    const owner = await createUser();
    const editor = await createUser();
    const viewer = await createUser();
    const ws = await createWorkspaceWith([
      { userId: owner.id, role: "OWNER" },
      { userId: editor.id, role: "EDITOR" },
      { userId: viewer.id, role: "VIEWER" },
    ]);
    const asOwner = callerFor(owner.id);
    await asOwner.member.changeRole({ workspaceId: ws.id, userId: editor.id, role: "VIEWER" });
    await asOwner.member.remove({ workspaceId: ws.id, userId: editor.id });
    await callerFor(viewer.id).member.leave({ workspaceId: ws.id });

    const lastOwner = await errorOf(asOwner.member.leave({ workspaceId: ws.id }));
    expect(lastOwner.code).toBe("CONFLICT");
    const demoteSelf = await errorOf(asOwner.member.changeRole({ workspaceId: ws.id, userId: owner.id, role: "EDITOR" }));
    expect(demoteSelf.code).toBe("CONFLICT");

    const audit = await asOwner.audit.list({ workspaceId: ws.id, limit: 50 });
    expect(audit.map((a) => a.action).reverse()).toEqual(["member.role_changed", "member.removed", "member.left"]);
    expect(audit.find((a) => a.action === "member.role_changed")?.details).toEqual({ from: "EDITOR", to: "VIEWER" });
    expect(await db.membership.count({ where: { workspaceId: ws.id } })).toBe(1);
  });

  it("creating a workspace makes the creator owner and audits it", async () => {
    const user = await createUser();
    const ws = await callerFor(user.id).workspace.create({ name: "医疗检索" });
    expect(ws.slug).toMatch(/^ws-[0-9a-f]{6}$/);
    const list = await callerFor(user.id).workspace.list();
    expect(list).toEqual([{ id: ws.id, name: "医疗检索", slug: ws.slug, role: "OWNER" }]);
    expect(await db.auditLog.count({ where: { workspaceId: ws.id, action: "workspace.created" } })).toBe(1);
  });

  it("a demo workspace has a readable slug whatever its name (#20 item 10: ws-cc0dfc)", async () => {
    const user = await createUser();
    expect((await createWorkspace({ userId: user.id, name: "医疗示例", demo: true })).slug).toMatch(/^demo-medical-[0-9a-f]{6}$/);
    expect((await createWorkspace({ userId: user.id, name: "Medical demo", demo: true })).slug).toMatch(/^demo-medical-demo-[0-9a-f]{6}$/);
    expect((await createWorkspace({ userId: user.id, name: "Demo: liver", demo: true })).slug).toMatch(/^demo-liver-[0-9a-f]{6}$/);
  });

  it("a member of one workspace cannot read another's jobs by id", async () => {
    const a = await createUser();
    const b = await createUser();
    const wsA = await createWorkspaceWith([{ userId: a.id, role: "OWNER" }]);
    const wsB = await createWorkspaceWith([{ userId: b.id, role: "OWNER" }]);
    const job = await db.job.create({ data: { type: "noop", payload: {}, workspaceId: wsB.id } });
    // A asks about B's job through A's own workspace: the service scopes by workspace.
    const error = await errorOf(callerFor(a.id).job.get({ workspaceId: wsA.id, jobId: job.id }));
    expect(error.code).toBe("NOT_FOUND");
  });
});
