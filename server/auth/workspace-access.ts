import type { Role } from "../generated/prisma/enums";
import { db } from "../db";
import { AppError } from "../lib/app-error";
import { roleAtLeast } from "./roles";

export interface WorkspaceAccess {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

/**
 * The one membership check: used by the tRPC workspace builder and by the few plain route
 * handlers (uploads, downloads). "No such workspace" and "not a member" look the same.
 */
export async function requireWorkspaceRole(
  userId: string,
  where: { id: string } | { slug: string },
  role: Role,
): Promise<WorkspaceAccess> {
  const workspace = await db.workspace.findUnique({
    where,
    select: { id: true, name: true, slug: true, memberships: { where: { userId }, select: { role: true } } },
  });
  const membership = workspace?.memberships[0];
  if (!workspace || !membership) throw new AppError("FORBIDDEN", "You are not a member of this workspace.");
  if (!roleAtLeast(membership.role, role)) throw new AppError("FORBIDDEN", `This needs the ${role.toLowerCase()} role.`);
  return { id: workspace.id, name: workspace.name, slug: workspace.slug, role: membership.role };
}
