import { randomBytes } from "node:crypto";
import type { Role } from "../generated/prisma/enums";
import { db } from "../db";
import { createCaller } from "../api/root";
import { createContext } from "../api/trpc";
import { hashPassword } from "../auth/password";

/** Test helpers: every test seeds its own users and workspaces, so files can run in any order. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

export async function createUser(password = "correct horse battery") {
  const email = `${unique("user")}@example.test`;
  return db.user.create({ data: { email, passwordHash: await hashPassword(password) } });
}

export async function createWorkspaceWith(members: { userId: string; role: Role }[]) {
  const workspace = await db.workspace.create({ data: { name: unique("ws"), slug: unique("ws") } });
  await db.membership.createMany({ data: members.map((m) => ({ ...m, workspaceId: workspace.id })) });
  return workspace;
}

export function callerFor(userId: string | null) {
  return createCaller(createContext({ session: userId ? { user: { id: userId } } : null, headers: new Headers() }));
}
