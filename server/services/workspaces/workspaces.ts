import { randomBytes } from "node:crypto";
import { db } from "../../db";
import { AppError } from "../../lib/app-error";
import { writeAudit } from "./audit";

function slugify(name: string, demo = false): string {
  let base = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  // A demo workspace says so in its URL whatever its (often Chinese) name: demo-medical-1a2b3c, not ws-1a2b3c (#20).
  if (demo) base = base.startsWith("demo") ? base : `demo-${base || "medical"}`;
  // Names in Chinese have no ASCII letters; a random suffix keeps slugs unique either way.
  return `${base || "ws"}-${randomBytes(3).toString("hex")}`;
}

/** `demo` marks a workspace made by "Create demo workspace" (its audit row says so; the first-run checklist shows there). */
export async function createWorkspace({ userId, name, demo = false }: { userId: string; name: string; demo?: boolean }) {
  return db.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({ data: { name, slug: slugify(name, demo) } });
    await tx.membership.create({ data: { workspaceId: workspace.id, userId, role: "OWNER" } });
    await writeAudit(tx, { workspaceId: workspace.id, actorId: userId, action: "workspace.created", details: { name, ...(demo ? { demo: true } : {}) } });
    return workspace;
  });
}

export async function listWorkspacesForUser({ userId }: { userId: string }) {
  const memberships = await db.membership.findMany({
    where: { userId },
    include: { workspace: true },
    orderBy: { createdAt: "asc" },
  });
  return memberships.map((m) => ({ id: m.workspace.id, name: m.workspace.name, slug: m.workspace.slug, role: m.role }));
}

/** Resolves a slug for a member; a non-member gets NOT_FOUND, so existence is not leaked. */
export async function getWorkspaceBySlug({ userId, slug }: { userId: string; slug: string }) {
  const workspace = await db.workspace.findUnique({
    where: { slug },
    include: { memberships: { where: { userId } } },
  });
  const membership = workspace?.memberships[0];
  if (!workspace || !membership) throw new AppError("NOT_FOUND", "Workspace not found");
  return { id: workspace.id, name: workspace.name, slug: workspace.slug, role: membership.role };
}

export async function renameWorkspace({ workspaceId, name }: { workspaceId: string; name: string }) {
  return db.workspace.update({ where: { id: workspaceId }, data: { name } });
}
