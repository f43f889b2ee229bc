import type { Role } from "../generated/prisma/enums";

/** Role order: a role may do everything the roles below it may. */
const RANK: Record<Role, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

export function roleAtLeast(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

export const ROLES = ["OWNER", "EDITOR", "VIEWER"] as const satisfies readonly Role[];
